// What happens around an order: payments (charges, failed attempts, refunds)
// and, from 2025-12-15 (when the shop switched its tracker on) to the end of
// the year, the web and app click stream.
//
// Click events are built from sessions: one purchase session per web/app
// order of the tracked days (page views, add_to_cart per basket line,
// begin_checkout, purchase at the order's time), plus four browsing sessions
// per purchase that bounce, browse, or abandon a cart or a checkout. Browsing
// sessions borrow the time (shifted up to an hour) and, when logged in, the
// customer of a random tracked order, so they follow the same daily rhythm.
#include "demo/shop_model.h"

namespace strata::demo::internal {
namespace {

// Refunds follow returns and half of the cancellations (the other half never
// paid); 5% of charges fail once and are retried four minutes later.
constexpr std::string_view kPayments = R"sql(
CREATE OR REPLACE TEMP TABLE demo_payments AS
WITH o AS (
  SELECT order_id, order_ts, channel, country, status, total_amount,
    demo_u(order_id, 'payment') AS pu, demo_u(order_id, 'retry') AS fu,
    demo_u(order_id, 'method') AS mu
  FROM demo_order_full
), m AS (
  SELECT *,
    CASE WHEN country = 'NL' AND mu < 0.55 THEN 'ideal'
         WHEN channel = 'app' AND mu < 0.30 THEN 'apple_pay'
         WHEN country IN ('DE', 'AT', 'SE', 'DK') AND mu < 0.25 THEN 'klarna'
         ELSE demo_pick(['card', 'card', 'card', 'card', 'paypal', 'paypal', 'paypal', 'klarna',
                         'bank_transfer', 'gift_card'], demo_u(order_id, 'method_other')) END
      AS method,
    CASE WHEN status = 'cancelled' AND pu < 0.5 THEN [{'k': 'charge', 's': 'failed', 'o': 0}]
         WHEN status IN ('cancelled', 'returned') AND fu < 0.05 THEN
           [{'k': 'charge', 's': 'failed', 'o': -240}, {'k': 'charge', 's': 'succeeded', 'o': 0},
            {'k': 'refund', 's': 'succeeded', 'o': 259200 + floor(1555200 * pu)::INT}]
         WHEN status IN ('cancelled', 'returned') THEN
           [{'k': 'charge', 's': 'succeeded', 'o': 0},
            {'k': 'refund', 's': 'succeeded', 'o': 259200 + floor(1555200 * pu)::INT}]
         WHEN fu < 0.05 THEN
           [{'k': 'charge', 's': 'failed', 'o': -240}, {'k': 'charge', 's': 'succeeded', 'o': 0}]
         ELSE [{'k': 'charge', 's': 'succeeded', 'o': 0}] END AS attempts
  FROM o
), a AS (
  SELECT order_id, order_ts, method, total_amount, unnest(attempts) AS a,
    generate_subscripts(attempts, 1) AS attempt
  FROM m
), v AS (
  SELECT printf('pay_%016x', hash(order_id, attempt, ${SEED}::UBIGINT)) AS payment_id, order_id,
    attempt, a.k AS kind,
    CASE WHEN ${dirty.payments.null_method} THEN NULL ELSE method END AS method,
    CASE method WHEN 'card' THEN 'stripe' WHEN 'apple_pay' THEN 'stripe' WHEN 'paypal' THEN 'paypal'
                WHEN 'klarna' THEN 'klarna' WHEN 'ideal' THEN 'adyen'
                WHEN 'bank_transfer' THEN 'sepa' ELSE 'giftcard' END AS provider,
    a.s AS status,
    CASE a.k WHEN 'refund' THEN -total_amount ELSE total_amount END AS amount,
    'EUR' AS currency, created AS _ts,
    strftime(created, '%Y-%m-%dT%H:%M:%SZ') AS created_at,
    ${dirty_kind.payments} AS _dirty, d
  FROM (SELECT *, demo_u(order_id * 8 + attempt, 'dirty') AS d,
          least(order_ts + to_seconds(a.o + 3 + floor(20 * demo_u(order_id * 8 + attempt, 'lag'))
                                      ::BIGINT),
                TIMESTAMP '2025-12-31 23:59:59') AS created
        FROM a)
)
SELECT * EXCLUDE (d, _ts, _dirty), _ts, _dirty FROM v
UNION ALL
SELECT * EXCLUDE (d, _ts, _dirty), _ts, 'duplicate' FROM v WHERE ${dirty.payments.duplicate}
ORDER BY _ts;
)sql";

// kind: 0 bounce, 1 browse, 2 abandoned cart, 3 abandoned checkout, 4 purchase.
constexpr std::string_view kSessions = R"sql(
CREATE OR REPLACE TEMP TABLE demo_sessions AS
WITH buy AS (
  SELECT order_id, customer_id, order_ts, channel, item_count FROM demo_order_full
  WHERE order_ts >= TIMESTAMP '2025-12-15' AND channel IN ('web', 'app')
), span AS (SELECT count(*) AS n, min(order_id) AS lo, max(order_id) AS hi FROM buy),
browse AS (
  SELECT range AS i, demo_u(range, 'session_platform') AS pu, demo_u(range, 'session_kind') AS ku,
    (SELECT lo FROM span) + floor(((SELECT hi FROM span) - (SELECT lo FROM span) + 1)
                                  * demo_u(range, 'session_like'))::BIGINT AS like_order
  FROM range((SELECT 4 * n FROM span))
)
SELECT order_id AS sid, order_id, customer_id AS user_id, order_ts AS anchor_ts, TRUE AS purchase,
  CASE WHEN channel = 'web' THEN 'web' WHEN demo_u(order_id, 'os') < 0.55 THEN 'ios'
       ELSE 'android' END AS platform,
  4 AS kind, item_count
FROM buy
UNION ALL
SELECT ${N} + 1 + i, NULL, CASE WHEN demo_u(i, 'login') < 0.35 THEN o.customer_id END,
  o.order_ts + to_seconds(floor(7200 * (demo_u(i, 'shift') - 0.5))::BIGINT), FALSE,
  CASE WHEN pu < 0.60 THEN 'web' WHEN pu < 0.82 THEN 'ios' ELSE 'android' END,
  CASE WHEN ku < 0.55 THEN 0 WHEN ku < 0.85 THEN 1 WHEN ku < 0.95 THEN 2 ELSE 3 END, 0
FROM browse b JOIN demo_order_full o ON o.order_id = b.like_order;
)sql";

// Properties differ by event type, as in the trackers' own exports; a
// session without campaign has no utm object.
//
// Purchase sessions are laid out backwards from the order time, the others
// forwards from their start; 45 s steps with < 30 s jitter keep events in
// order. Events outside the tracked days (sessions straddling their edges)
// are cut, as a tracker switched on at 2025-12-15 would.
constexpr std::string_view kEventBase = R"sql(
CREATE OR REPLACE TEMP TABLE demo_event_base AS
WITH s AS (
  SELECT *, printf('%016x', hash(sid, 'session', ${SEED}::UBIGINT)) AS session_id,
    printf('%016x', hash(coalesce(user_id, sid), 'anonymous', ${SEED}::UBIGINT)) AS anonymous_id,
    CASE WHEN platform <> 'web' THEN
           CASE WHEN demo_u(sid, 'device') < 0.1 THEN 'tablet' ELSE 'mobile' END
         WHEN demo_u(sid, 'device') < 0.45 THEN 'desktop'
         WHEN demo_u(sid, 'device') < 0.93 THEN 'mobile' ELSE 'tablet' END AS device,
    demo_pick([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 6], demo_u(sid, 'utm'))
      AS utm,
    CASE kind WHEN 0 THEN 1 WHEN 1 THEN 2 + floor(6 * demo_u(sid, 'views'))::INT
              ELSE 1 + floor(5 * demo_u(sid, 'views'))::INT END AS n_view,
    CASE kind WHEN 4 THEN least(item_count, 3) WHEN 2 THEN 1 WHEN 3 THEN 1 ELSE 0 END AS n_cart,
    CASE WHEN kind >= 3 THEN 1 ELSE 0 END AS n_checkout,
    CASE WHEN kind = 4 THEN 1 ELSE 0 END AS n_purchase
  FROM demo_sessions
), e AS (
  SELECT *, unnest(range(n_view + n_cart + n_checkout + n_purchase)) AS e,
    n_view + n_cart + n_checkout + n_purchase AS n
  FROM s
), t AS (
  SELECT *,
    CASE WHEN e < n_view THEN 'page_view' WHEN e < n_view + n_cart THEN 'add_to_cart'
         WHEN e < n_view + n_cart + n_checkout THEN 'begin_checkout' ELSE 'purchase' END
      AS event_type,
    CASE WHEN purchase THEN anchor_ts + to_seconds(-45 * (n - 1 - e)
           - CASE WHEN e < n - 1 THEN floor(30 * demo_u(sid * 64 + e, 'gap'))::BIGINT ELSE 0 END)
         ELSE anchor_ts + to_seconds(45 * e + floor(30 * demo_u(sid * 64 + e, 'gap'))::BIGINT) END
      + to_seconds(0.999 * demo_u(sid * 64 + e, 'millis')) AS event_ts,
    floor(${PRODUCTS} * pow(demo_u(sid * 64 + e, 'viewed'), 1.8))::BIGINT AS pop_rank,
    CASE WHEN e >= n_view AND e < n_view + n_cart THEN e - n_view + 1 END AS cart_line,
    CASE WHEN purchase AND e = n - 1 THEN order_id END AS purchase_order
  FROM e
)
SELECT t.sid, t.e, t.event_type, t.event_ts, t.session_id, t.anonymous_id, t.user_id, t.platform,
  t.device, t.utm, t.purchase_order, p.slug, p.product_id AS viewed_product,
  i.product_id AS cart_product, i.quantity AS cart_quantity, o.total_amount AS revenue
FROM t JOIN demo_product_base p USING (pop_rank)
LEFT JOIN demo_item_base i ON i.order_id = t.order_id AND i.line_no = t.cart_line
LEFT JOIN demo_order_full o ON o.order_id = t.purchase_order
WHERE t.event_ts >= TIMESTAMP '2025-12-15' AND t.event_ts < TIMESTAMP '2026-01-01';
)sql";

constexpr std::string_view kEvents = R"sql(
CREATE OR REPLACE TEMP TABLE demo_events AS
WITH v AS (
  SELECT session_id || '-' || lpad(e::VARCHAR, 2, '0') AS event_id, event_type,
    CASE WHEN ${dirty.events.bad_event_ts} THEN '1970-01-01T00:00:00.000Z'
         ELSE strftime(event_ts, '%Y-%m-%dT%H:%M:%S.%gZ') END AS event_ts,
    session_id, anonymous_id, user_id,
    CASE WHEN utm = 0 THEN json_object('platform', platform, 'device', device)
         ELSE json_object('platform', platform, 'device', device, 'utm', json_object(
           'source', ['google', 'google', 'newsletter', 'instagram', 'facebook', 'tiktok'][utm],
           'medium', ['cpc', 'organic', 'email', 'paid_social', 'paid_social', 'paid_social'][utm],
           'campaign', ['brand_search', NULL, 'xmas_2025', 'winter_sale', 'winter_sale',
                        'gift_guide'][utm])) END AS context,
    CASE WHEN event_type = 'page_view' AND e = 0 AND viewed_product % 3 = 0
           THEN json_object('page', '/')
         WHEN event_type = 'page_view' AND e = 0 THEN json_object('page', '/c/' || slug)
         WHEN event_type = 'page_view'
           THEN json_object('page', '/p/' || viewed_product, 'product_id', viewed_product)
         WHEN event_type = 'add_to_cart'
           THEN json_object('product_id', coalesce(cart_product, viewed_product),
                            'quantity', coalesce(cart_quantity, 1))
         WHEN event_type = 'begin_checkout' THEN json_object('page', '/checkout')
         ELSE json_object('order_id', purchase_order, 'revenue', revenue, 'currency', 'EUR') END
      AS properties,
    event_ts AS _ts, ${dirty_kind.events} AS _dirty, d, sid, e
  FROM (SELECT *, demo_u(sid * 64 + e, 'dirty') AS d FROM demo_event_base)
)
SELECT * EXCLUDE (d, sid, e) FROM v
UNION ALL
SELECT * EXCLUDE (d, sid, e, _dirty), 'duplicate' FROM v WHERE ${dirty.events.duplicate}
ORDER BY _ts;
)sql";

constexpr std::string_view kDropSessions = "DROP TABLE demo_sessions";
constexpr std::string_view kDropEverythingElse = R"sql(
DROP TABLE demo_event_base;
DROP TABLE demo_item_base;
DROP TABLE demo_order_full;
DROP TABLE demo_product_base;
)sql";

}  // namespace

std::vector<SqlStep> ActivitySteps() {
  return {
      {"payments", kPayments}, {"", kSessions},     {"", kEventBase},
      {"", kDropSessions},     {"events", kEvents}, {"", kDropEverythingElse},
  };
}

}  // namespace strata::demo::internal
