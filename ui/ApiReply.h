#pragma once

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>

class QNetworkReply;

namespace billing::ui {

// One admin API call: owns its QNetworkReply, caps the response size and emits
// finished() exactly once, then deletes itself.
class ApiReply final : public QObject
{
    Q_OBJECT

public:
    enum class Error { None, Network, Http, InvalidJson, Aborted };
    Q_ENUM(Error)

    ApiReply(QNetworkReply *reply, const QString &serviceUrl, QObject *parent);
    ~ApiReply() override;

    bool isOk() const { return m_error == Error::None; }
    Error error() const { return m_error; }
    int httpStatus() const { return m_httpStatus; }
    QString errorMessage() const { return m_errorMessage; }
    QJsonObject json() const { return m_json; }

    void abort();

    static constexpr qint64 MaxResponseBytes = 32 * 1024 * 1024;

Q_SIGNALS:
    void finished();

private:
    void onFinished();
    void finish(Error error, const QString &message);

    QPointer<QNetworkReply> m_reply;
    QString m_serviceUrl;
    QJsonObject m_json;
    QString m_errorMessage;
    Error m_error = Error::None;
    int m_httpStatus = 0;
    bool m_done = false;
    bool m_tooLarge = false;
};

} // namespace billing::ui
