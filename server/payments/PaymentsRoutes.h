#pragma once

#include "billing/PlanCatalog.h"
#include "billing/RedirectAllowList.h"
#include "http/ApiTokenAuth.h"
#include "http/HttpService.h"

#include <QObject>

#include <memory>

namespace billing {
class CustomerStore;
class Database;
class StripeClient;
} // namespace billing

namespace billing::server {
class StripeActions;

// The seed's four outgoing-call endpoints under /payments/stripe: checkout,
// portal, subscription get and cancel. Each checks the API token and its body,
// calls Stripe asynchronously and answers when Stripe has.
class PaymentsRoutes final : public QObject
{
    Q_OBJECT

public:
    struct Dependencies
    {
        StripeClient *stripe = nullptr;
        Database *database = nullptr;
        PlanCatalog plans;
        RedirectAllowList redirects;
        QString apiToken;
        StripeMode mode = StripeMode::Unknown; // reads see this mode's objects only
    };

    explicit PaymentsRoutes(Dependencies dependencies, QObject *parent = nullptr);
    ~PaymentsRoutes() override;

    void install(HttpService &service);

    // Bodies larger than this are refused before parsing.
    static constexpr qsizetype kMaxBodyBytes = 64 * 1024;

private:
    void createCheckoutSession(const HttpRequest &request, HttpResponder responder);
    void createPortalSession(const HttpRequest &request, HttpResponder responder);
    void getSubscription(const HttpRequest &request, HttpResponder responder);
    void cancelSubscription(const HttpRequest &request, HttpResponder responder);

    // Wraps a route with the token and body-size checks every endpoint shares.
    HttpService::Handler guarded(void (PaymentsRoutes::*route)(const HttpRequest &, HttpResponder));

    Dependencies m_deps;
    ApiTokenAuth m_auth;
    std::unique_ptr<CustomerStore> m_customers;
    StripeActions *m_actions;
};

} // namespace billing::server
