// Seeds: CSV files loaded into Delta tables with agate-like types,
// column_types, delimiter, and a full replace on every run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "transform/dbt_materialize_testing.h"

namespace strata::transform::testing {
namespace {

using ::testing::HasSubstr;

class SeedTest : public MaterializeTest {
 protected:
  void WriteSeed(const std::string& name, const std::string& text) {
    std::filesystem::create_directories(dir_ + "/project/seeds");
    std::ofstream(dir_ + "/project/seeds/" + name + ".csv") << text;
  }
  Node Seed(const std::string& name, nlohmann::json config = nlohmann::json::object()) {
    Node node = MakeNode("seed", name, std::move(config));
    node.package_root = dir_ + "/project";
    node.original_file_path = "seeds/" + name + ".csv";
    return node;
  }
  std::vector<ColumnInfo> Columns(const std::string& table) {
    auto columns = adapter_->GetColumns({"", "main", table, RelationInfo::Kind::kTable});
    EXPECT_TRUE(columns.ok()) << columns.status().ToString();
    return columns.ok() ? *columns : std::vector<ColumnInfo>{};
  }
  static std::string Types(const std::vector<ColumnInfo>& columns) {
    std::string out;
    for (const ColumnInfo& c : columns)
      out += (out.empty() ? "" : ",") + c.name + ":" + c.data_type;
    return out;
  }
};

TEST_F(SeedTest, JaffleShapedSeedsGetDbtDuckdbTypes) {
  // The shapes of jaffle_shop's raw_orders and raw_payments, where
  // dbt-duckdb gives INTEGER ids, DATE dates, VARCHAR text.
  WriteSeed("raw_orders",
            "id,user_id,order_date,status\n1,1,2018-01-01,returned\n2,3,2018-01-02,completed\n"
            "3,94,2018-01-04,completed\n");
  WriteSeed("raw_payments",
            "id,order_id,payment_method,amount,share,paid_at,refunded,big\n"
            "1,1,credit_card,1000,0.5,2018-01-01 10:00:00,false,3000000000\n"
            "2,2,coupon,,0.25,2018-01-02 11:30:00,true,1\n"
            "3,3,null,2500,1,2018-01-03 00:00:00,,2\n");
  NodeOutcome orders = MustBuild(Seed("raw_orders"), "");
  EXPECT_EQ(orders.status, "success");
  EXPECT_EQ(orders.message, "INSERT 3");
  EXPECT_EQ(orders.rows_affected, 3);
  EXPECT_EQ(Types(Columns("raw_orders")),
            "id:INTEGER,user_id:INTEGER,order_date:DATE,status:VARCHAR");
  EXPECT_EQ(
      Query("select * from main.raw_orders"),
      (Rows{"1|1|2018-01-01|returned", "2|3|2018-01-02|completed", "3|94|2018-01-04|completed"}));

  MustBuild(Seed("raw_payments"), "");
  EXPECT_EQ(Types(Columns("raw_payments")),
            "id:INTEGER,order_id:INTEGER,payment_method:VARCHAR,amount:INTEGER,share:DOUBLE,"
            "paid_at:TIMESTAMP,refunded:BOOLEAN,big:BIGINT");
  // Empty fields and the word null are NULL, as agate reads them.
  EXPECT_EQ(Query("select id, payment_method, amount, refunded from main.raw_payments"),
            (Rows{"1|credit_card|1000|false", "2|coupon|NULL|true", "3|NULL|2500|NULL"}));
}

TEST_F(SeedTest, ColumnTypesDelimiterAndReplaceOnEveryRun) {
  WriteSeed("zips", "zip;city;population\n01234;Amherst;38000\n90210;Beverly Hills;34000\n");
  Node node =
      Seed("zips", {{"delimiter", ";"},
                    {"column_types", {{"zip", "varchar"}, {"population", "decimal(12,1)"}}}});
  MustBuild(node, "");
  EXPECT_EQ(Types(Columns("zips")), "zip:VARCHAR,city:VARCHAR,population:DECIMAL(12,1)");
  EXPECT_EQ(Query("select * from main.zips"),
            (Rows{"01234|Amherst|38000.0", "90210|Beverly Hills|34000.0"}));
  const int64_t version = Version("main", "zips");

  // The file changes: one row gone, a column more. One new version.
  WriteSeed("zips", "zip;city;population;state\n01234;Amherst;38001;MA\n");
  NodeOutcome out = MustBuild(node, "");
  EXPECT_EQ(out.message, "INSERT 1");
  EXPECT_EQ(Version("main", "zips"), version + 1);
  EXPECT_EQ(Types(Columns("zips")),
            "zip:VARCHAR,city:VARCHAR,population:DECIMAL(12,1),state:VARCHAR");
  EXPECT_EQ(Query("select * from main.zips"), (Rows{"01234|Amherst|38001.0|MA"}));

  // A bad value for a column type fails and leaves the last version.
  WriteSeed("zips", "zip;city;population;state\n01234;Amherst;lots;MA\n");
  auto failed = Build(node, "");
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr("seed.test.zips"));
  EXPECT_EQ(Version("main", "zips"), version + 1);
  EXPECT_EQ(Query("select * from main.zips"), (Rows{"01234|Amherst|38001.0|MA"}));
}

TEST_F(SeedTest, AMissingFileIsAnError) {
  auto failed = Build(Seed("nope"), "");
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr("nope.csv"));
}

}  // namespace
}  // namespace strata::transform::testing
