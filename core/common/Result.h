#pragma once

#include <QString>

#include <utility>
#include <variant>

namespace billing {

// Why an operation failed, coarse enough for callers to branch on; the message
// says what to fix and is safe to show (it never contains a secret).
enum class ErrorCode {
    InvalidInput,
    NotFound,
    Io,
    Configuration,
    DatabaseUnavailable,
    Database,
    SchemaTooNew,
    SchemaMismatch,
};

struct Error
{
    ErrorCode code;
    QString message;
    QString param = {}; // for InvalidInput: the parameter to fix, when there is one
};

// A value or an Error: our code does not throw, it returns one of these.
template <typename T> class [[nodiscard]] Result final
{
public:
    Result(T value)
        : m_state(std::move(value))
    {}
    Result(Error error)
        : m_state(std::move(error))
    {}

    bool ok() const { return std::holds_alternative<T>(m_state); }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return std::get<T>(m_state); }
    T &value() & { return std::get<T>(m_state); }
    T &&value() && { return std::get<T>(std::move(m_state)); }
    const T *operator->() const { return &value(); }
    T *operator->() { return &value(); }

    const Error &error() const { return std::get<Error>(m_state); }

private:
    std::variant<T, Error> m_state;
};

template <> class [[nodiscard]] Result<void> final
{
public:
    Result() = default;
    Result(Error error)
        : m_error(std::move(error))
        , m_failed(true)
    {}

    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const Error &error() const { return m_error; }

private:
    Error m_error{ErrorCode::InvalidInput, {}};
    bool m_failed = false;
};

} // namespace billing
