// Token-level finding and rewriting of Delta table references, and the
// extraction of file-skipping filters from DuckDB's own parse tree.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "sql/filters.h"
#include "sql/table_refs.h"
#include "sql/warehouse.h"

namespace strata::sql {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

bool IsWarehouseSchema(std::string_view s) {
  const std::string lower = Lowercase(s);
  return lower == "bronze" || lower == "silver" || lower == "gold";
}

std::vector<TableRef> Refs(std::string_view sql) {
  auto refs = FindTableRefs(sql, IsWarehouseSchema);
  EXPECT_TRUE(refs.ok()) << sql << ": " << refs.status().ToString();
  return refs.ok() ? *refs : std::vector<TableRef>{};
}

TEST(TableRefsTest, FindsWarehouseTablesWithAliasesAndTimeTravel) {
  const std::string sql =
      "select o.id, c.name from bronze.orders o join Silver.\"Customers\" as c "
      "at (version => 3) on o.cid = c.id, gold.daily at (timestamp => now() - interval 1 day) "
      "where bronze.orders.id > 1 and x.y = 'bronze.fake'";
  std::vector<TableRef> refs = Refs(sql);
  ASSERT_EQ(refs.size(), 3u);
  EXPECT_EQ(refs[0].schema, "bronze");
  EXPECT_EQ(refs[0].table, "orders");
  EXPECT_TRUE(refs[0].has_alias);
  EXPECT_EQ(refs[0].travel, TableRef::Travel::kLatest);
  EXPECT_TRUE(refs[0].qualified_columns);  // bronze.orders.id
  EXPECT_EQ(refs[1].table, "Customers");
  EXPECT_EQ(refs[1].travel, TableRef::Travel::kVersion);
  EXPECT_EQ(refs[1].travel_expression, "3");
  EXPECT_EQ(sql.substr(refs[1].at_begin, refs[1].at_end - refs[1].at_begin), "at (version => 3)");
  EXPECT_FALSE(refs[2].has_alias);
  EXPECT_EQ(refs[2].travel, TableRef::Travel::kTimestamp);
  EXPECT_EQ(refs[2].travel_expression, "now() - interval 1 day");
}

TEST(TableRefsTest, IgnoresFunctionsAndOtherSchemas) {
  EXPECT_TRUE(Refs("select main.f(1), other.t.x from other.t").empty());
  EXPECT_TRUE(Refs("select bronze.f(1)").empty());
  EXPECT_TRUE(Refs("select 'bronze.orders' -- bronze.orders\n").empty());
}

TEST(TableRefsTest, FindsThreePartNamesOfTheWarehouseDatabase) {
  const std::string sql =
      "select * from \"Jaffle\".\"bronze\".\"orders\" o join jaffle.silver.c using (id) "
      "join other.bronze.x using (id), jaffle.bronze.t at (version => 2) "
      "where jaffle.silver.c.id > 0";
  auto found = FindTableRefs(sql, IsWarehouseSchema, "JAFFLE");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  const std::vector<TableRef>& refs = *found;
  ASSERT_EQ(refs.size(), 3u);
  EXPECT_EQ(refs[0].database, "Jaffle");
  EXPECT_EQ(refs[0].schema, "bronze");
  EXPECT_EQ(refs[0].table, "orders");
  EXPECT_EQ(sql.substr(refs[0].begin, refs[0].end - refs[0].begin),
            "\"Jaffle\".\"bronze\".\"orders\"");
  EXPECT_TRUE(refs[0].has_alias);
  EXPECT_EQ(refs[1].table, "c");
  EXPECT_TRUE(refs[1].qualified_columns);  // jaffle.silver.c.id
  EXPECT_EQ(refs[2].table, "t");
  EXPECT_EQ(refs[2].travel, TableRef::Travel::kVersion);
  // other.bronze.x is not the warehouse's database; without a database
  // name, three-part names are never references.
  auto none = FindTableRefs("select * from jaffle.bronze.orders", IsWarehouseSchema);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  const std::string rewritten = RewriteTableRefs(sql, refs, {{0, "\"bronze\".\"orders\""}});
  EXPECT_THAT(rewritten, HasSubstr("from \"bronze\".\"orders\" o join"));
}

TEST(TableRefsTest, FindsDeltaScanCalls) {
  const std::string sql =
      "select * from delta_scan('/t/a''s') join delta_scan('file:///t/b', version => 2) b "
      "using (id), delta_scan('/t/c', timestamp := TIMESTAMPTZ '2024-01-01 00:00:00+00')";
  std::vector<TableRef> refs = Refs(sql);
  ASSERT_EQ(refs.size(), 3u);
  EXPECT_EQ(refs[0].kind, TableRef::Kind::kDeltaScan);
  EXPECT_EQ(refs[0].path, "/t/a's");
  EXPECT_FALSE(refs[0].has_alias);
  EXPECT_EQ(refs[1].path, "file:///t/b");
  EXPECT_EQ(refs[1].travel_expression, "2");
  EXPECT_TRUE(refs[1].has_alias);
  EXPECT_EQ(refs[2].travel, TableRef::Travel::kTimestamp);
  EXPECT_EQ(refs[2].travel_expression, "TIMESTAMPTZ '2024-01-01 00:00:00+00'");
}

TEST(TableRefsTest, RejectsMalformedReferences) {
  for (const char* sql :
       {"select * from delta_scan(path_column)", "select * from delta_scan('/x', versions => 1)",
        "select * from delta_scan('/x', version => 1, timestamp => now())",
        "select * from bronze.t at (version 3)"}) {
    auto refs = FindTableRefs(sql, IsWarehouseSchema);
    EXPECT_FALSE(refs.ok()) << sql;
    EXPECT_TRUE(refs.status().IsInvalidArgument()) << sql;
  }
}

TEST(TableRefsTest, RewritesToViewsKeepingNames) {
  const std::string sql =
      "select orders.id from bronze.orders at (version => 1) join delta_scan('/x') d "
      "on true, delta_scan('/y') where bronze.t.a = 1";
  std::vector<TableRef> refs = Refs(sql);
  ASSERT_EQ(refs.size(), 3u);
  EXPECT_EQ(RewriteTableRefs(sql, refs, {{0, "v0"}, {1, "v1"}, {2, "v2"}}),
            "select orders.id from v0 AS orders  join v1 d on true, v2 AS delta_scan "
            "where bronze.t.a = 1");
  EXPECT_EQ(RewriteTableRefs(sql, refs, {}), sql);
}

TEST(TableRefsTest, StripsQualifiers) {
  EXPECT_EQ(StripQualifiers("o.a = 1 and orders.b > o.c and bronze.orders.d and x.e and o.f(1)",
                            {"orders", "o"}, "bronze"),
            "a = 1 and b > c and d and x.e and o.f(1)");
  EXPECT_EQ(StripQualifiers("'o.a' = o.\"A b\"", {"o"}, "bronze"), "'o.a' = \"A b\"");
}

TEST(TableRefsTest, SplitsScripts) {
  auto statements =
      SplitSqlStatements("select ';' as a; -- c;\n select 2 /* ; */;;\n\n select $$;$$");
  ASSERT_TRUE(statements.ok());
  EXPECT_THAT(*statements, ElementsAre("select ';' as a", "select 2", "select $$;$$"));
}

class FiltersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = *engine::Database::Open();
    conn_ = *engine::Connection::Open(*db_);
  }
  std::map<size_t, ScanFilters> Filters(const std::string& sql) {
    auto json = conn_->QueryScalar("SELECT json_serialize_sql(" + engine::QuoteLiteral(sql) + ")");
    EXPECT_TRUE(json.ok()) << json.status().ToString();
    auto filters = FindScanFilters(json->GetString());
    EXPECT_TRUE(filters.ok()) << filters.status().ToString();
    return filters.ok() ? *filters : std::map<size_t, ScanFilters>{};
  }
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> conn_;
};

TEST_F(FiltersTest, ExtractsConjunctsPerReference) {
  const std::string sql =
      "select * from bronze.o o join bronze.c at (version => 2) on o.cid = c.id and c.tier = 3 "
      "where o.day = date '2024-01-02' and 10 > o.amount and o.x between 1 and 2.5 "
      "and c.name is not null and o.k in ('a', 'b') and (o.z = 1 or o.z = 2) and o.w = o.v";
  auto filters = Filters(sql);
  const size_t o = sql.find("bronze.o"), c = sql.find("bronze.c");
  ASSERT_EQ(filters.size(), 2u);
  const auto& of = filters[o].filters;
  ASSERT_EQ(of.size(), 4u);
  EXPECT_EQ(of[0].column, "day");
  EXPECT_EQ(of[0].op, ColumnFilter::Op::kEq);
  EXPECT_EQ(of[0].values[0].type, "DATE");
  EXPECT_EQ(of[0].values[0].text, "2024-01-02");
  EXPECT_EQ(of[1].column, "amount");
  EXPECT_EQ(of[1].op, ColumnFilter::Op::kLt);
  EXPECT_EQ(of[2].op, ColumnFilter::Op::kBetween);
  EXPECT_EQ(of[2].values[1].text, "2.5");
  EXPECT_EQ(of[3].op, ColumnFilter::Op::kIn);
  const auto& cf = filters[c].filters;
  ASSERT_EQ(cf.size(), 2u);
  EXPECT_EQ(cf[0].column, "tier");  // from the INNER JOIN condition
  EXPECT_EQ(cf[1].op, ColumnFilter::Op::kIsNotNull);
}

TEST_F(FiltersTest, NoFiltersOnTheNullableSideOfOuterJoins) {
  const std::string sql =
      "select * from bronze.a left join bronze.b on a.id = b.id where b.x is null and a.y = 1";
  auto filters = Filters(sql);
  ASSERT_EQ(filters.size(), 1u);
  EXPECT_EQ(filters.begin()->first, sql.find("bronze.a"));
}

TEST_F(FiltersTest, UnqualifiedColumnsOnlyWithOneTableAndNestedBlocksSeparately) {
  const std::string sql =
      "select * from bronze.a, bronze.b where x = 1 and a.id in "
      "(select id from delta_scan('/p') where y >= 5)";
  auto filters = Filters(sql);
  ASSERT_EQ(filters.size(), 1u);
  EXPECT_EQ(filters.begin()->first, sql.find("delta_scan"));
  EXPECT_EQ(filters.begin()->second.filters[0].op, ColumnFilter::Op::kGe);
}

TEST(FilterConversionTest, OnlyLiteralsOfTheColumnsTypeFamily) {
  lake::DataType integer;
  integer.primitive = "integer";
  lake::DataType text;
  text.primitive = "string";
  lake::DataType decimal;
  decimal.kind = lake::DataType::Kind::kDecimal;
  decimal.scale = 2;
  ColumnFilter eq{"a", ColumnFilter::Op::kEq, {{"INTEGER", "5"}}};
  ASSERT_EQ(ToColumnPredicates(eq, integer).size(), 1u);
  EXPECT_EQ(ToColumnPredicates(eq, integer)[0].value, "5");
  EXPECT_TRUE(ToColumnPredicates(eq, text).empty());  // '05' = 5 would be a cast
  EXPECT_EQ(ToColumnPredicates(eq, decimal).size(), 1u);
  ColumnFilter fine{"a", ColumnFilter::Op::kGt, {{"DECIMAL", "1.555"}}};
  EXPECT_TRUE(ToColumnPredicates(fine, decimal).empty());  // more scale than the column
  ColumnFilter in{
      "a", ColumnFilter::Op::kIn, {{"INTEGER", "7"}, {"INTEGER", "-2"}, {"INTEGER", "3"}}};
  auto between = ToColumnPredicates(in, integer);
  ASSERT_EQ(between.size(), 1u);
  EXPECT_EQ(between[0].op, lake::ColumnPredicate::Op::kBetween);
  EXPECT_EQ(between[0].value, "-2");
  EXPECT_EQ(between[0].upper, "7");
}

}  // namespace
}  // namespace strata::sql
