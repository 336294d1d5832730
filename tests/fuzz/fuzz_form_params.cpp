// Fuzzes Stripe's form encoding: FormParams::decode on arbitrary bytes, the
// encoder on whatever that yields, and toTree (bracket nesting).
//
// Invariants:
//  - encode() writes only unreserved characters, %XX escapes, brackets, '='
//    and '&';
//  - decode(encode(p)) gives back p's pairs exactly, and encoding those again
//    gives the same bytes (the round trip is a fixed point);
//  - toTree() agrees on p and on its round trip (the same tree, or the same
//    error), and a tree holds exactly one leaf per pair.
#include "FuzzSupport.h"

#include "stripe/FormParams.h"

#include <QVariantList>
#include <QVariantMap>

using billing::FormParams;

namespace {

bool isEncodedByte(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == '%' || c == '[' || c == ']' || c == '=' || c == '&';
}

qsizetype leafCount(const QVariant &node)
{
    if (node.typeId() == QMetaType::QVariantMap) {
        qsizetype leaves = 0;
        const QVariantMap map = node.toMap();
        for (const QVariant &child : map)
            leaves += leafCount(child);
        return leaves;
    }
    if (node.typeId() == QMetaType::QVariantList) {
        qsizetype leaves = 0;
        const QVariantList list = node.toList();
        for (const QVariant &child : list)
            leaves += leafCount(child);
        return leaves;
    }
    FUZZ_CHECK(node.typeId() == QMetaType::QString);
    return 1;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    billing::fuzz::initialise(argc, argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const billing::Result<FormParams> decoded = FormParams::decode(billing::fuzz::input(data, size));
    if (!decoded)
        return 0;
    for (const FormParams::Pair &pair : decoded->pairs())
        FUZZ_CHECK(!pair.first.isEmpty());

    const QByteArray encoded = decoded->encode();
    FUZZ_CHECK(std::all_of(encoded.cbegin(), encoded.cend(), isEncodedByte));
    const billing::Result<FormParams> again = FormParams::decode(encoded);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->pairs() == decoded->pairs());
    FUZZ_CHECK(again->encode() == encoded);

    const billing::Result<QVariantMap> tree = decoded->toTree();
    const billing::Result<QVariantMap> treeAgain = again->toTree();
    FUZZ_CHECK(tree.ok() == treeAgain.ok());
    if (!tree) {
        FUZZ_CHECK(tree.error().message == treeAgain.error().message);
        return 0;
    }
    FUZZ_CHECK(tree.value() == treeAgain.value());
    FUZZ_CHECK(leafCount(tree.value()) == decoded->pairs().size());
    return 0;
}
