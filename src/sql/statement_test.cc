#include "sql/statement.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace strata::sql {
namespace {

using ::testing::ElementsAre;
using Kind = Statement::Kind;

Statement Parse(std::string_view sql) {
  auto stmt = ParseStatement(sql);
  EXPECT_TRUE(stmt.ok()) << sql << ": " << stmt.status().ToString();
  return stmt.ok() ? *stmt : Statement{};
}

TEST(StatementTest, OtherStatementsPassThrough) {
  for (const char* sql :
       {"select 1", "with x as (select 1) select * from x", "set threads = 2",
        "create temp view v as select 1", "create temp table t (a int)",
        "insert or replace into t values (1)", "copy t to 'x.csv'", "alter table t rename to u",
        "create macro m(a) as a + 1", "pragma version"}) {
    EXPECT_EQ(Parse(sql).kind, Kind::kOther) << sql;
  }
}

TEST(StatementTest, CreateTableWithColumnsPartitionsAndProperties) {
  Statement s = Parse(
      "CREATE TABLE IF NOT EXISTS bronze.\"Orders\" (id BIGINT NOT NULL, amount DECIMAL(10, 2), "
      "day DATE) PARTITIONED BY (day) TBLPROPERTIES ('owner' = 'ana', delta.checkpointInterval = 10);");
  EXPECT_EQ(s.kind, Kind::kCreateTable);
  EXPECT_TRUE(s.if_not_exists);
  EXPECT_THAT(s.target.parts, ElementsAre("bronze", "Orders"));
  EXPECT_EQ(s.target.ToString(), "bronze.\"Orders\"");
  EXPECT_EQ(s.column_definitions, "id BIGINT NOT NULL, amount DECIMAL(10, 2), day DATE");
  EXPECT_THAT(s.partition_columns, ElementsAre("day"));
  ASSERT_EQ(s.properties.size(), 2u);
  EXPECT_EQ(s.properties[0], (std::pair<std::string, std::string>{"owner", "ana"}));
  EXPECT_EQ(s.properties[1],
            (std::pair<std::string, std::string>{"delta.checkpointInterval", "10"}));
}

TEST(StatementTest, CreateTableAsSelect) {
  Statement s = Parse("create or replace table gold.daily partitioned by (d) as "
                      "select d, sum(x) from silver.t group by d");
  EXPECT_EQ(s.kind, Kind::kCreateTableAs);
  EXPECT_TRUE(s.or_replace);
  EXPECT_THAT(s.partition_columns, ElementsAre("d"));
  EXPECT_EQ(s.query, "select d, sum(x) from silver.t group by d");
}

TEST(StatementTest, Insert) {
  Statement s = Parse("insert into bronze.t (a, \"B\") select 1, 'x;y' ;");
  EXPECT_EQ(s.kind, Kind::kInsert);
  EXPECT_THAT(s.insert_columns, ElementsAre("a", "B"));
  EXPECT_EQ(s.query, "select 1, 'x;y'");
  Statement v = Parse("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
  EXPECT_TRUE(v.insert_columns.empty());
  EXPECT_EQ(v.query, "VALUES (1, 'a'), (2, 'b')");
  Statement q = Parse("insert into t (select * from u)");
  EXPECT_TRUE(q.insert_columns.empty());
  EXPECT_EQ(q.query, "(select * from u)");
  Statement o = Parse("insert overwrite table t select * from u");
  EXPECT_EQ(o.kind, Kind::kInsertOverwrite);
  EXPECT_EQ(o.query, "select * from u");
}

TEST(StatementTest, DeleteAndUpdate) {
  Statement d = Parse("delete from silver.orders o where o.status = 'x' and id in (select 1)");
  EXPECT_EQ(d.kind, Kind::kDelete);
  EXPECT_EQ(d.target_alias, "o");
  EXPECT_EQ(d.where, "o.status = 'x' and id in (select 1)");
  EXPECT_EQ(Parse("delete from t").where, "");

  Statement u = Parse("update t set a = a + 1, b = coalesce(b, 'n,a'), t.c = (select 1, 2) "
                      "where a > 3");
  EXPECT_EQ(u.kind, Kind::kUpdate);
  ASSERT_EQ(u.assignments.size(), 3u);
  EXPECT_EQ(u.assignments[0].column, "a");
  EXPECT_EQ(u.assignments[0].expression, "a + 1");
  EXPECT_EQ(u.assignments[1].expression, "coalesce(b, 'n,a')");
  EXPECT_EQ(u.assignments[2].column, "c");
  EXPECT_EQ(u.assignments[2].expression, "(select 1, 2)");
  EXPECT_EQ(u.where, "a > 3");
}

TEST(StatementTest, Merge) {
  Statement m = Parse(
      "MERGE INTO silver.customers AS t USING (select * from bronze.c where x = 1) s "
      "ON t.id = s.id "
      "WHEN MATCHED AND s.deleted THEN DELETE "
      "WHEN MATCHED THEN UPDATE SET name = s.name, n = t.n + 1 "
      "WHEN NOT MATCHED AND s.ok THEN INSERT (id, name) VALUES (s.id, upper(s.name)) "
      "WHEN NOT MATCHED BY SOURCE THEN DELETE");
  EXPECT_EQ(m.kind, Kind::kMerge);
  EXPECT_EQ(m.target_alias, "t");
  EXPECT_EQ(m.merge_source, "(select * from bronze.c where x = 1)");
  EXPECT_EQ(m.merge_source_alias, "s");
  EXPECT_EQ(m.merge_condition, "t.id = s.id");
  ASSERT_EQ(m.merge_clauses.size(), 4u);
  EXPECT_EQ(m.merge_clauses[0].action, MergeClause::Action::kDelete);
  EXPECT_EQ(m.merge_clauses[0].condition, "s.deleted");
  EXPECT_EQ(m.merge_clauses[1].action, MergeClause::Action::kUpdate);
  EXPECT_EQ(m.merge_clauses[1].assignments[1].expression, "t.n + 1");
  EXPECT_EQ(m.merge_clauses[2].when, MergeClause::When::kNotMatched);
  EXPECT_THAT(m.merge_clauses[2].insert_columns, ElementsAre("id", "name"));
  EXPECT_THAT(m.merge_clauses[2].insert_values, ElementsAre("s.id", "upper(s.name)"));
  EXPECT_EQ(m.merge_clauses[3].when, MergeClause::When::kNotMatchedBySource);

  Statement star = Parse("merge into t using read_csv('x.csv') as s on t.id = s.id "
                         "when matched then update set * when not matched then insert *");
  EXPECT_EQ(star.merge_source, "read_csv('x.csv')");
  EXPECT_EQ(star.merge_clauses[0].action, MergeClause::Action::kUpdateAll);
  EXPECT_EQ(star.merge_clauses[1].action, MergeClause::Action::kInsertAll);
}

TEST(StatementTest, AlterAndDrop) {
  Statement a = Parse("alter table bronze.t add column if not exists note varchar default 'x'");
  EXPECT_EQ(a.kind, Kind::kAlterAddColumn);
  EXPECT_TRUE(a.if_not_exists);
  EXPECT_EQ(a.column_name, "note");
  EXPECT_EQ(a.column_type, "varchar default 'x'");
  Statement d = Parse("drop table if exists gold.x");
  EXPECT_EQ(d.kind, Kind::kDropTable);
  EXPECT_TRUE(d.if_exists);
  EXPECT_EQ(d.target.schema(), "gold");
}

TEST(StatementTest, CreateTableComment) {
  Statement s = Parse("create table gold.t (a int) comment 'it''s gold' partitioned by (a)");
  EXPECT_EQ(s.comment, "it's gold");
  EXPECT_THAT(s.partition_columns, ElementsAre("a"));
}

TEST(StatementTest, FindsTheTargetOfAnyWritingStatement) {
  struct Case {
    const char* sql;
    const char* target;  // "" for none
  };
  for (const Case& c :
       {Case{"insert or replace into bronze.t values (1)", "bronze.t"},
        Case{"insert overwrite table silver.t select 1", "silver.t"},
        Case{"update bronze.t set a = 1 from u", "bronze.t"},
        Case{"delete from bronze.t using u", "bronze.t"},
        Case{"merge into gold.t using s on true when matched then delete", "gold.t"},
        Case{"create or replace table if not exists x.y (a int)", "x.y"},
        Case{"alter table bronze.t rename to u", "bronze.t"},
        Case{"drop table if exists bronze.t", "bronze.t"}, Case{"truncate bronze.t", "bronze.t"},
        Case{"copy bronze.t (a, b) from 'x.csv'", "bronze.t"}, Case{"copy bronze.t to 'x.csv'", ""},
        Case{"copy (select 1) to 'x.csv'", ""},
        Case{"create view bronze.v as select 1", "bronze.v"},
        Case{"alter view bronze.v rename to w", "bronze.v"},
        Case{"create temp view v as select 1", ""}, Case{"select * from bronze.t", ""}}) {
    std::optional<QualifiedName> target = FindStatementTarget(c.sql);
    EXPECT_EQ(target ? target->ToString() : "", c.target) << c.sql;
  }
}

TEST(StatementTest, CreateAndDropView) {
  Statement s = Parse("CREATE OR REPLACE VIEW \"Main\".v (a, \"B\") AS\n  select 1, 2; ");
  EXPECT_EQ(s.kind, Kind::kCreateView);
  EXPECT_TRUE(s.or_replace);
  EXPECT_EQ(s.target.ToString(), "\"Main\".v");
  EXPECT_THAT(s.insert_columns, ElementsAre("a", "B"));
  EXPECT_EQ(s.query, "select 1, 2");

  s = Parse("create view if not exists db.silver.v as with x as (select 1) select * from x");
  EXPECT_EQ(s.kind, Kind::kCreateView);
  EXPECT_TRUE(s.if_not_exists);
  EXPECT_EQ(s.target.parts.size(), 3u);
  EXPECT_EQ(s.query, "with x as (select 1) select * from x");

  s = Parse("drop view if exists silver.v");
  EXPECT_EQ(s.kind, Kind::kDropView);
  EXPECT_TRUE(s.if_exists);
  EXPECT_EQ(s.target.ToString(), "silver.v");
  EXPECT_EQ(Parse("drop table silver.v").kind, Kind::kDropTable);

  EXPECT_FALSE(ParseStatement("create view silver.v").ok());
  EXPECT_FALSE(ParseStatement("create view silver.v as").ok());
  EXPECT_FALSE(ParseStatement("create or replace view if not exists v as select 1").ok());
}

TEST(StatementTest, MalformedStatementsSayWhere) {
  struct Case {
    const char* sql;
    const char* message;
  };
  for (const Case& c : {Case{"create table t", "column definitions"},
                        Case{"create table t (a int) as select 1", "drop the column list"},
                        Case{"update t set where a = 1", "expected '=' at line 1, column 20"},
                        Case{"merge into t using s on a = b", "WHEN"},
                        Case{"merge into t using s on a = b when matched then insert *", "INSERT"},
                        Case{"delete from t where", "condition"},
                        Case{"insert into t (a, b", "expected ')'"},
                        Case{"create table t (a int) partitioned (a)", "expected BY at line 1, column 36"},
                        Case{"insert into t values ('unterminated", "unterminated string"}}) {
    auto stmt = ParseStatement(c.sql);
    ASSERT_FALSE(stmt.ok()) << c.sql;
    EXPECT_NE(stmt.status().message().find(c.message), std::string::npos)
        << c.sql << " -> " << stmt.status().message();
  }
}

}  // namespace
}  // namespace strata::sql
