// The shop's core: when orders happen, who places them, what they contain.
//
// Orders: N order ids are spread over the 17,544 hours of 2024-2025 in
// proportion to an hourly weight (growth, weekday, month, Black Friday week,
// Christmas, time of day, noise), so ids rise with time and monthly files
// can be cut by id. Customers: each latent customer gets a number of orders
// from a heavy-tailed mix (18% never buy, half of the rest buy once, a loyal
// tail buys up to 150 times), and a "desired" time for each; sorting all
// desired times and matching them to the order stream gives every order its
// customer while keeping the stream's seasonality. Sign-up happens shortly
// before the first order, so customer ids rise roughly with sign-up time.
#include "demo/shop_model.h"

namespace strata::demo::internal {
namespace {

constexpr std::string_view kMacros = R"sql(
CREATE OR REPLACE TEMP MACRO demo_u(k, salt) AS
  (hash(k::BIGINT, salt, ${SEED}::UBIGINT) >> 11)::DOUBLE / 9007199254740992.0;
CREATE OR REPLACE TEMP MACRO demo_pick(options, u) AS options[1 + floor(u * len(options))::INT];
)sql";

// Integer weights keep the running sums exact, hence the cut points identical
// on every run.
constexpr std::string_view kSlots = R"sql(
CREATE OR REPLACE TEMP TABLE demo_slots AS
WITH s AS (
  SELECT range AS slot, TIMESTAMP '2024-01-01' + to_hours(range) AS slot_ts FROM range(17544)
), w AS (
  SELECT slot, slot_ts, round(1000
    * (1.0 + 0.7 * slot / 17544.0)
    * [1.10, 1.0, 0.95, 0.95, 1.0, 1.05, 1.25][dayofweek(slot_ts) + 1]
    * [0.90, 0.80, 0.90, 0.90, 0.95, 0.85, 0.80, 0.85, 0.95, 1.00, 1.30, 1.55][month(slot_ts)]
    * CASE WHEN month(slot_ts) = 11 AND day(slot_ts) BETWEEN 22 AND 28 AND dayofweek(slot_ts) = 5
             THEN 3.0  -- Black Friday
           WHEN month(slot_ts) = 11 AND day(slot_ts) >= 23 THEN 1.6
           WHEN month(slot_ts) = 12 AND day(slot_ts) <= 2 AND dayofweek(slot_ts) = 1
             THEN 2.2  -- Cyber Monday
           WHEN month(slot_ts) = 12 AND day(slot_ts) BETWEEN 24 AND 26 THEN 0.45
           ELSE 1.0 END
    * [0.25, 0.15, 0.10, 0.08, 0.08, 0.12, 0.25, 0.45, 0.65, 0.80, 0.90, 0.95,
       1.00, 1.00, 0.95, 0.90, 0.90, 0.95, 1.05, 1.25, 1.35, 1.25, 0.95, 0.55][hour(slot_ts) + 1]
    * (0.85 + 0.30 * demo_u(slot, 'slot')))::BIGINT AS w
  FROM s
), c AS (
  SELECT slot, slot_ts, (${N}::HUGEINT * sum(w) OVER (ORDER BY slot) // sum(w) OVER ())::BIGINT
    AS last_id
  FROM w
)
SELECT slot, slot_ts, coalesce(lag(last_id) OVER (ORDER BY slot), 0) + 1 AS first_id, last_id
FROM c;
)sql";

// Tiers: 18% never order, 52% once, 22% a few times, 8% loyal (Pareto tail).
// Candidates are kept until their orders add up to N.
constexpr std::string_view kLatentCustomers = R"sql(
CREATE OR REPLACE TEMP TABLE demo_latent AS
WITH c AS (
  SELECT range + 1 AS cid, demo_u(range, 'tier') AS t, demo_u(range, 'count') AS v
  FROM range(${CANDIDATES})
), n AS (
  SELECT cid,
    CASE WHEN t < 0.18 THEN 0 WHEN t < 0.70 THEN 1
         WHEN t < 0.92 THEN 2 + floor(-ln(1 - v) * 1.5)::INT
         ELSE least(150, 5 + floor(3 * (pow(1 - v, -1 / 1.5) - 1)))::INT END AS n_orders,
    CASE WHEN t < 0.92 THEN 45 + 150 * demo_u(cid, 'gap') ELSE 10 + 30 * demo_u(cid, 'gap') END
      AS gap_days
  FROM c
), k AS (
  SELECT *, coalesce(sum(n_orders) OVER (ORDER BY cid ROWS BETWEEN UNBOUNDED PRECEDING
                                                     AND 1 PRECEDING), 0) AS before
  FROM n
)
SELECT cid, n_orders, gap_days FROM k WHERE before < ${N};
)sql";

// Purchase k of customer c wants to happen at first_day + gap * (k + 0.9u):
// increasing in k, so a customer's orders keep their sequence number order.
constexpr std::string_view kOrderBase = R"sql(
CREATE OR REPLACE TEMP TABLE demo_order_base AS
WITH t AS (
  SELECT cid, unnest(range(n_orders)) AS k, gap_days,
         731.0 * (cid - 1 + demo_u(cid, 'first_day')) / (SELECT count(*) FROM demo_latent)
           AS first_day
  FROM demo_latent WHERE n_orders > 0
), r AS (
  SELECT cid, k,
    row_number() OVER (ORDER BY first_day + gap_days * (k + 0.9 * demo_u(cid * 1000 + k, 'desire')),
                       cid, k) AS order_id
  FROM t
), o AS (
  SELECT order_id, cid AS customer_id, k AS seq FROM r WHERE order_id <= ${N}
)
SELECT o.order_id, o.customer_id, o.seq,
  s.slot_ts + to_seconds(floor(3600 * ((o.order_id - s.first_id) + demo_u(o.order_id, 'jitter'))
                               / (s.last_id - s.first_id + 1))::BIGINT) AS order_ts
FROM o ASOF JOIN (SELECT * FROM demo_slots WHERE last_id >= first_id) s
  ON o.order_id >= s.first_id;
)sql";

constexpr std::string_view kCustomerBase = R"sql(
CREATE OR REPLACE TEMP TABLE demo_customer_base AS
WITH f AS (
  SELECT customer_id, order_ts AS first_ts FROM demo_order_base WHERE seq = 0
), c AS (
  SELECT l.cid, f.first_ts,
    coalesce(f.first_ts, last_value(f.first_ts IGNORE NULLS) OVER (ORDER BY l.cid),
             TIMESTAMP '2024-01-01') AS near_ts
  FROM demo_latent l LEFT JOIN f ON f.customer_id = l.cid
), a AS (
  SELECT cid,
    greatest(TIMESTAMP '2023-11-15',
      CASE WHEN first_ts IS NULL
             THEN near_ts + to_seconds(floor(86400 * 20 * demo_u(cid, 'lag'))::BIGINT)
           WHEN demo_u(cid, 'lagkind') < 0.45
             THEN first_ts - to_seconds(60 + floor(1200 * demo_u(cid, 'lag'))::BIGINT)
           ELSE first_ts - to_seconds(floor(86400 * least(400, -ln(1 - demo_u(cid, 'lag')) * 20))
                                      ::BIGINT) END) AS signup_ts,
    demo_pick([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 5, 6, 7, 8, 9],
              demo_u(cid, 'country')) AS ci
  FROM c
), places AS (
  SELECT * FROM (VALUES
    (0, 'DE', ['Berlin', 'Hamburg', 'München', 'Köln', 'Frankfurt am Main', 'Stuttgart'],
        ['Anna', 'Lukas', 'Marie', 'Jonas', 'Sophie', 'Felix', 'Lena', 'Paul', 'Jürgen', 'Katrin'],
        ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker'],
        ['gmail.com', 'web.de', 'gmx.de', 't-online.de', 'outlook.com']),
    (1, 'FR', ['Paris', 'Lyon', 'Marseille', 'Toulouse', 'Nantes', 'Lille'],
        ['Camille', 'Louis', 'Léa', 'Hugo', 'Chloé', 'Jules', 'Inès', 'Gabriel'],
        ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Petit', 'Durand', 'Lefèvre'],
        ['gmail.com', 'orange.fr', 'free.fr', 'laposte.net', 'outlook.fr']),
    (2, 'NL', ['Amsterdam', 'Rotterdam', 'Utrecht', 'Den Haag', 'Eindhoven'],
        ['Daan', 'Emma', 'Sem', 'Julia', 'Lucas', 'Tess', 'Finn', 'Sanne'],
        ['de Jong', 'Jansen', 'de Vries', 'van den Berg', 'Bakker', 'Visser', 'Smit'],
        ['gmail.com', 'hotmail.nl', 'ziggo.nl', 'kpnmail.nl']),
    (3, 'ES', ['Madrid', 'Barcelona', 'Valencia', 'Sevilla', 'Bilbao'],
        ['Lucía', 'Hugo', 'Martina', 'Mateo', 'Sofía', 'Pablo', 'Carmen', 'Javier'],
        ['García', 'Fernández', 'González', 'Rodríguez', 'López', 'Martínez', 'Sánchez'],
        ['gmail.com', 'hotmail.es', 'yahoo.es', 'telefonica.net']),
    (4, 'IT', ['Roma', 'Milano', 'Torino', 'Napoli', 'Bologna', 'Firenze'],
        ['Giulia', 'Leonardo', 'Francesca', 'Alessandro', 'Chiara', 'Lorenzo', 'Sara'],
        ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo'],
        ['gmail.com', 'libero.it', 'virgilio.it', 'alice.it']),
    (5, 'AT', ['Wien', 'Graz', 'Linz', 'Salzburg', 'Innsbruck'],
        ['Elias', 'Hannah', 'Tobias', 'Laura', 'Maximilian', 'Sarah', 'Florian'],
        ['Gruber', 'Huber', 'Bauer', 'Wagner', 'Pichler', 'Steiner', 'Moser'],
        ['gmail.com', 'gmx.at', 'aon.at', 'chello.at']),
    (6, 'BE', ['Bruxelles', 'Antwerpen', 'Gent', 'Liège', 'Brugge'],
        ['Noah', 'Olivia', 'Arthur', 'Louise', 'Victor', 'Elise', 'Jules'],
        ['Peeters', 'Janssens', 'Maes', 'Jacobs', 'Dupont', 'Lambert', 'Claes'],
        ['gmail.com', 'skynet.be', 'telenet.be', 'hotmail.be']),
    (7, 'PL', ['Warszawa', 'Kraków', 'Wrocław', 'Gdańsk', 'Poznań'],
        ['Zofia', 'Jakub', 'Maja', 'Antoni', 'Zuzanna', 'Szymon', 'Agnieszka'],
        ['Nowak', 'Kowalczyk', 'Wójcik', 'Kowalewski', 'Zieliński', 'Szymański'],
        ['gmail.com', 'wp.pl', 'onet.pl', 'interia.pl']),
    (8, 'SE', ['Stockholm', 'Göteborg', 'Malmö', 'Uppsala'],
        ['Alice', 'William', 'Maja', 'Oscar', 'Ella', 'Hugo', 'Astrid'],
        ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson'],
        ['gmail.com', 'telia.com', 'hotmail.se', 'outlook.com']),
    (9, 'DK', ['København', 'Aarhus', 'Odense', 'Aalborg'],
        ['Freja', 'Oliver', 'Ida', 'Carl', 'Clara', 'Emil', 'Karen'],
        ['Nielsen', 'Jensen', 'Hansen', 'Pedersen', 'Andersen', 'Christensen'],
        ['gmail.com', 'hotmail.dk', 'mail.dk', 'yahoo.dk'])
  ) t(ci, country, cities, firsts, lasts, domains)
), p AS (
  SELECT a.cid, a.signup_ts, places.country,
    demo_pick(cities, demo_u(a.cid, 'city')) AS city,
    demo_pick(firsts, demo_u(a.cid, 'first')) AS first_name,
    demo_pick(lasts, demo_u(a.cid, 'last')) AS last_name,
    demo_pick(domains, demo_u(a.cid, 'domain')) AS domain
  FROM a JOIN places USING (ci)
)
SELECT cid AS customer_id, first_name, last_name,
  strip_accents(lower(replace(first_name, ' ', '') || '.' || replace(last_name, ' ', '')))
    || (cid % 997)::VARCHAR || '@' || domain AS email,
  country, city, signup_ts, demo_u(cid, 'optin') < 0.42 AS marketing_opt_in,
  demo_u(cid, 'dirty') AS d
FROM p;
)sql";

constexpr std::string_view kCustomers = R"sql(
CREATE OR REPLACE TEMP TABLE demo_customers AS
WITH v AS (
  SELECT customer_id, first_name, last_name,
    CASE WHEN ${dirty.customers.bad_email} THEN
      demo_pick([replace(email, '@', ' at '), replace(email, '@', ''), replace(email, '@', '@@'),
                 email || ' ', replace(email, '.', ',')], demo_u(customer_id, 'bad_email'))
      ELSE email END AS email,
    CASE WHEN ${dirty.customers.null_country} THEN NULL ELSE country END AS country,
    CASE WHEN ${dirty.customers.null_country} OR ${dirty.customers.null_city} THEN NULL
         ELSE city END AS city,
    CASE WHEN ${dirty.customers.bad_signup_date} THEN
      demo_pick(['n/a', '', '0000-00-00', strftime(signup_ts, '%Y-%m-32 %H:%M:%S'),
                 strftime(signup_ts, '%d/%m/%Y'), '2024-02-30 12:00:00'],
                demo_u(customer_id, 'bad_date'))
      ELSE strftime(signup_ts, '%Y-%m-%d %H:%M:%S') END AS signed_up_at,
    marketing_opt_in, signup_ts AS _ts, ${dirty_kind.customers} AS _dirty, d
  FROM demo_customer_base
)
SELECT * EXCLUDE (d) FROM v
UNION ALL
SELECT * EXCLUDE (d, _dirty), 'duplicate' FROM v WHERE ${dirty.customers.duplicate}
ORDER BY customer_id;
)sql";

// Product names are unique by construction: the j-th product of a category
// takes the j-th (adjective, noun, colour) combination.
constexpr std::string_view kProductBase = R"sql(
CREATE OR REPLACE TEMP TABLE demo_product_base AS
WITH cat AS (
  SELECT * FROM (VALUES
    (0, 'Apparel', 'apparel', 12.0, 90.0,
     ['T-Shirt', 'Hoodie', 'Jeans', 'Jacket', 'Sweater', 'Dress', 'Shorts', 'Shirt', 'Cardigan'],
     ['Nordvik', 'Loomwell', 'Urban Fable']),
    (1, 'Shoes', 'shoes', 35.0, 160.0,
     ['Sneakers', 'Running Shoes', 'Boots', 'Sandals', 'Loafers', 'Trail Shoes', 'Slippers'],
     ['Stride & Co', 'Pavé', 'Kestrel']),
    (2, 'Home & Kitchen', 'home-kitchen', 8.0, 120.0,
     ['Mug', 'Chef Knife', 'Cutting Board', 'Throw Blanket', 'Cushion', 'Frying Pan', 'Teapot',
      'Vase', 'Candle'],
     ['Hearthly', 'Casa Lume', 'Tovarna']),
    (3, 'Electronics', 'electronics', 15.0, 400.0,
     ['Headphones', 'Bluetooth Speaker', 'Power Bank', 'Smartwatch', 'USB-C Charger', 'Webcam',
      'Keyboard', 'E-Reader'],
     ['Voltaic', 'Soundry', 'Pixelform']),
    (4, 'Beauty', 'beauty', 5.0, 60.0,
     ['Face Cream', 'Shampoo', 'Lip Balm', 'Serum', 'Body Lotion', 'Perfume', 'Sunscreen'],
     ['Belle Rive', 'Mossa', 'Pure Fjord']),
    (5, 'Sports & Outdoors', 'sports-outdoors', 10.0, 250.0,
     ['Yoga Mat', 'Water Bottle', 'Backpack', 'Tent', 'Dumbbells', 'Sleeping Bag', 'Headlamp'],
     ['Alpenwild', 'Ridgeline', 'Kinetik']),
    (6, 'Toys & Games', 'toys-games', 8.0, 80.0,
     ['Puzzle', 'Board Game', 'Building Set', 'Plush Bear', 'Card Game', 'Wooden Train', 'Kite'],
     ['Playwise', 'Tinker Hollow', 'Meeple Lane']),
    (7, 'Books', 'books', 6.0, 40.0,
     ['Cookbook', 'Novel', 'Travel Guide', 'Notebook', 'Atlas', 'Poetry Collection'],
     ['Inkwell Press', 'Marginalia', 'Folio North'])
  ) t(ci, category, slug, lo, hi, nouns, brands)
), b AS (
  SELECT range + 1 AS product_id,
    demo_pick([0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 5, 6, 7], demo_u(range + 1, 'category'))
      AS ci
  FROM range(${PRODUCTS})
), j AS (
  SELECT *, row_number() OVER (PARTITION BY ci ORDER BY product_id) - 1 AS j FROM b
)
SELECT product_id, 'SKU-' || lpad(product_id::VARCHAR, 6, '0') AS sku,
  ['Classic', 'Essential', 'Premium', 'Organic', 'Compact', 'Vintage', 'Pro', 'Everyday',
   'Deluxe', 'Eco', 'Signature', 'Nordic'][1 + j % 12]
    || ' ' || nouns[1 + (j // 12) % len(nouns)]
    || CASE WHEN j >= 12 * len(nouns) THEN ' - ' || ['Black', 'White', 'Navy', 'Sand', 'Olive',
         'Grey', 'Red', 'Sky', 'Rose', 'Teal'][1 + (j // (12 * len(nouns))) % 10] ELSE '' END
    || CASE WHEN j >= 120 * len(nouns) THEN ' ' || (j // (120 * len(nouns)) + 1)::VARCHAR
            ELSE '' END AS name,
  category, slug, demo_pick(brands, demo_u(product_id, 'brand')) AS brand,
  (ceil(exp(ln(lo) + demo_u(product_id, 'price') * (ln(hi) - ln(lo)))) - 0.01)::DECIMAL(10, 2)
    AS price,
  (0.35 + 0.30 * demo_u(product_id, 'cost')) AS cost_ratio,
  DATE '2021-01-01' + floor(1095 * demo_u(product_id, 'launch'))::INT AS launched_on,
  demo_u(product_id, 'active') >= 0.03 AS active,
  row_number() OVER (ORDER BY demo_u(product_id, 'popularity'), product_id) - 1 AS pop_rank,
  -- A Weyl sequence instead of a hash: the catalogue is small, and this spreads
  -- the dirty rows evenly, so each kind shows up even with 100 products.
  (product_id * 0.6180339887498949) % 1 AS d
FROM j JOIN cat USING (ci);
)sql";

constexpr std::string_view kProducts = R"sql(
CREATE OR REPLACE TEMP TABLE demo_products AS
WITH v AS (
  SELECT product_id, sku, name, category,
    CASE WHEN ${dirty.products.null_brand} THEN NULL ELSE brand END AS brand,
    price, round(price * cost_ratio, 2)::DECIMAL(10, 2) AS cost, launched_on, active,
    NULL::TIMESTAMP AS _ts, ${dirty_kind.products} AS _dirty, d
  FROM demo_product_base
)
SELECT * EXCLUDE (d) FROM v
UNION ALL
SELECT * EXCLUDE (d, _dirty), 'duplicate' FROM v WHERE ${dirty.products.duplicate}
ORDER BY product_id;
)sql";

// Channel share moves from web to app over the two years; marketplace
// baskets are smaller, app baskets a little larger.
constexpr std::string_view kOrderAttributes = R"sql(
CREATE OR REPLACE TEMP TABLE demo_order_attr AS
SELECT o.order_id, o.customer_id, o.seq, o.order_ts, c.country,
  CASE WHEN demo_u(o.order_id, 'channel') < 0.10 THEN 'marketplace'
       WHEN demo_u(o.order_id, 'channel')
            < 0.40 + 0.15 * date_diff('day', TIMESTAMP '2024-01-01', o.order_ts) / 731.0 THEN 'app'
       ELSE 'web' END AS channel,
  CASE WHEN ((month(o.order_ts) = 11 AND day(o.order_ts) >= 22)
             OR (month(o.order_ts) = 12 AND day(o.order_ts) <= 2))
            AND demo_u(o.order_id, 'coupon') < 0.6 THEN 'BLACKFRIDAY20'
       WHEN o.seq = 0 AND demo_u(o.order_id, 'coupon') < 0.3 THEN 'WELCOME10' END AS coupon_code,
  demo_u(o.order_id, 'dirty') AS d
FROM demo_order_base o JOIN demo_customer_base c USING (customer_id);
)sql";

// Products are drawn by popularity rank with a power law (the top product
// sells about 2% of units).
constexpr std::string_view kItemBase = R"sql(
CREATE OR REPLACE TEMP TABLE demo_item_base AS
WITH o AS (
  SELECT order_id, order_ts, coupon_code,
    CASE channel WHEN 'marketplace' THEN 0.7 * demo_u(order_id, 'lines')
                 WHEN 'app' THEN 0.08 + 0.92 * demo_u(order_id, 'lines')
                 ELSE demo_u(order_id, 'lines') END AS lu
  FROM demo_order_attr
), l AS (
  SELECT order_id, order_ts, coupon_code,
    unnest(range(CASE WHEN lu < 0.45 THEN 1 WHEN lu < 0.75 THEN 2 WHEN lu < 0.89 THEN 3
                      WHEN lu < 0.96 THEN 4
                      ELSE 5 + floor(4 * demo_u(order_id, 'many_lines'))::INT END)) + 1 AS line_no
  FROM o
), q AS (
  SELECT *, order_id * 16 + line_no AS k,
    floor(${PRODUCTS} * pow(demo_u(order_id * 16 + line_no, 'product'), 2.2))::BIGINT AS pop_rank,
    demo_u(order_id * 16 + line_no, 'quantity') AS qu
  FROM l
)
SELECT q.order_id, q.order_ts, q.line_no, p.product_id, p.price AS unit_price,
  CASE WHEN qu < 0.85 THEN 1 WHEN qu < 0.96 THEN 2 WHEN qu < 0.99 THEN 3 ELSE 4 END AS quantity,
  round(quantity * p.price * CASE q.coupon_code WHEN 'BLACKFRIDAY20' THEN 0.20
                                                WHEN 'WELCOME10' THEN 0.10 ELSE 0 END, 2)
    ::DECIMAL(12, 2) AS discount_amount,
  demo_u(q.k, 'dirty') AS d, q.k
FROM q JOIN demo_product_base p USING (pop_rank);
)sql";

// Shipping is free from 49 EUR. Status follows age at the end of 2025:
// recent orders are still placed or shipped.
constexpr std::string_view kOrderFull = R"sql(
CREATE OR REPLACE TEMP TABLE demo_order_full AS
WITH t AS (
  SELECT order_id, count(*) AS item_count,
    sum(quantity * unit_price)::DECIMAL(12, 2) AS subtotal,
    sum(discount_amount)::DECIMAL(12, 2) AS discount
  FROM demo_item_base GROUP BY order_id
), s AS (
  SELECT o.*, t.item_count, t.subtotal, t.discount,
    CASE WHEN t.subtotal - t.discount < 49 THEN 4.95 ELSE 0 END::DECIMAL(12, 2) AS shipping_fee,
    demo_u(o.order_id, 'status') AS su,
    date_diff('hour', o.order_ts, TIMESTAMP '2026-01-01') AS age_hours
  FROM demo_order_attr o JOIN t USING (order_id)
)
SELECT * EXCLUDE (su, age_hours),
  (subtotal - discount + shipping_fee)::DECIMAL(12, 2) AS total_amount,
  CASE WHEN su < 0.035 THEN 'cancelled' WHEN age_hours < 36 THEN 'placed'
       WHEN age_hours < 120 THEN 'shipped' WHEN su < 0.11 THEN 'returned'
       ELSE 'delivered' END AS status
FROM s;
)sql";

constexpr std::string_view kOrders = R"sql(
CREATE OR REPLACE TEMP TABLE demo_orders AS
WITH v AS (
  SELECT order_id, customer_id,
    CASE WHEN ${dirty.orders.bad_order_ts} THEN
      demo_pick(['n/a', strftime(order_ts, '%d/%m/%Y %H:%M'),
                 strftime(order_ts, '%Y-%m-32 %H:%M:%S'),
                 '2024-02-30 ' || strftime(order_ts, '%H:%M:%S'), '0000-00-00 00:00:00'],
                demo_u(order_id, 'bad_ts'))
      ELSE strftime(order_ts, '%Y-%m-%d %H:%M:%S') END AS order_ts,
    status,
    CASE WHEN ${dirty.orders.null_channel} THEN NULL ELSE channel END AS channel,
    country AS ship_country, item_count, subtotal, discount, shipping_fee, total_amount,
    'EUR' AS currency, coupon_code, order_ts AS _ts, ${dirty_kind.orders} AS _dirty, d
  FROM demo_order_full
)
SELECT * EXCLUDE (d) FROM v
UNION ALL
SELECT * EXCLUDE (d, _dirty), 'duplicate' FROM v WHERE ${dirty.orders.duplicate}
ORDER BY order_id;
)sql";

constexpr std::string_view kOrderItems = R"sql(
CREATE OR REPLACE TEMP TABLE demo_order_items AS
WITH v AS (
  SELECT order_id, line_no,
    CASE WHEN ${dirty.order_items.unknown_product}
         THEN ${PRODUCTS} + 1 + floor(1000 * demo_u(k, 'unknown_product'))::BIGINT
         ELSE product_id END AS product_id,
    CASE WHEN ${dirty.order_items.negative_quantity} THEN -quantity ELSE quantity END AS quantity,
    unit_price, discount_amount,
    ((quantity * unit_price - discount_amount)
      * CASE WHEN ${dirty.order_items.negative_quantity} THEN -1 ELSE 1 END)::DECIMAL(12, 2)
      AS line_amount,
    order_ts AS _ts, ${dirty_kind.order_items} AS _dirty, d
  FROM demo_item_base
)
SELECT * EXCLUDE (d) FROM v
UNION ALL
SELECT * EXCLUDE (d, _dirty), 'duplicate' FROM v WHERE ${dirty.order_items.duplicate}
ORDER BY order_id, line_no;
)sql";

// Each helper table is dropped as soon as nothing further reads it: at scale
// 10 they hold tens of millions of rows, and peak memory is what limits the
// scale a laptop can generate.
constexpr std::string_view kDropSlots = "DROP TABLE demo_slots";
constexpr std::string_view kDropCustomerScaffolding = R"sql(
DROP TABLE demo_latent;
DROP TABLE demo_order_base;
DROP TABLE demo_customer_base;
)sql";
constexpr std::string_view kDropOrderAttributes = "DROP TABLE demo_order_attr";

}  // namespace

std::vector<SqlStep> ShopSteps() {
  return {
      {"", kMacros},
      {"", kSlots},
      {"", kLatentCustomers},
      {"", kOrderBase},
      {"", kDropSlots},
      {"", kCustomerBase},
      {"customers", kCustomers},
      {"", kProductBase},
      {"products", kProducts},
      {"", kOrderAttributes},
      {"", kDropCustomerScaffolding},
      {"", kItemBase},
      {"", kOrderFull},
      {"", kDropOrderAttributes},
      {"orders", kOrders},
      {"order_items", kOrderItems},
  };
}

}  // namespace strata::demo::internal
