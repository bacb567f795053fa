#include "common/logging.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

namespace strata {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class CapturingSink : public LogSink {
 public:
  void Write(LogLevel level, std::string_view line) override {
    std::lock_guard<std::mutex> lock(mu_);
    lines_.emplace_back(line);
  }
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

class LoggingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogSink(&sink_);
    SetLogClock(&clock_);
    SetLogLevel(LogLevel::kInfo);
    SetLogFormat(LogFormat::kText);
  }
  void TearDown() override {
    SetLogSink(nullptr);
    SetLogClock(nullptr);
    SetLogLevel(LogLevel::kInfo);
    SetLogFormat(LogFormat::kText);
  }

  FakeClock clock_{1'700'000'000'123'456};  // 2023-11-14T22:13:20.123456Z
  CapturingSink sink_;
};

TEST_F(LoggingTest, TextLineHasTimestampLevelMessageAndFields) {
  STRATA_LOG(INFO).Field("table", "orders").Field("note", "two words") << "committed v" << 7;
  ASSERT_EQ(sink_.lines().size(), 1u);
  EXPECT_EQ(sink_.lines()[0],
            "2023-11-14T22:13:20.123Z INFO  committed v7 table=orders note=\"two words\"");
}

TEST_F(LoggingTest, DisabledLevelsAreNotEvaluated) {
  int evaluated = 0;
  auto expensive = [&] { return ++evaluated; };
  STRATA_LOG(DEBUG) << expensive();
  STRATA_LOG(TRACE) << expensive();
  EXPECT_EQ(evaluated, 0);
  EXPECT_TRUE(sink_.lines().empty());
  SetLogLevel(LogLevel::kTrace);
  STRATA_LOG(TRACE) << expensive();
  EXPECT_EQ(evaluated, 1);
  SetLogLevel(LogLevel::kOff);
  STRATA_LOG(ERROR) << expensive();
  Log(LogLevel::kError, "silenced");
  EXPECT_EQ(evaluated, 1);
  EXPECT_EQ(sink_.lines().size(), 1u);
}

TEST_F(LoggingTest, MacroIsSafeInIfElse) {
  bool branch = false;
  if (branch)
    STRATA_LOG(INFO) << "not this";
  else
    STRATA_LOG(WARN) << "this";
  ASSERT_EQ(sink_.lines().size(), 1u);
  EXPECT_THAT(sink_.lines()[0], HasSubstr("WARN  this"));
}

TEST_F(LoggingTest, JsonLinesParseAndKeepFieldOrder) {
  SetLogFormat(LogFormat::kJson);
  Log(LogLevel::kWarn, "say \"hi\"\n", {{"rows", "12"}, {"msg", "shadowed"}});
  ASSERT_EQ(sink_.lines().size(), 1u);
  const std::string line = sink_.lines()[0];
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["ts"], "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(j["level"], "warn");
  EXPECT_EQ(j["msg"], "say \"hi\"\n");
  EXPECT_EQ(j["rows"], "12");
  EXPECT_EQ(j["msg_"], "shadowed");
  EXPECT_EQ(line.rfind("{\"ts\":", 0), 0u) << line;
}

TEST_F(LoggingTest, InvalidUtf8DoesNotBreakJson) {
  SetLogFormat(LogFormat::kJson);
  Log(LogLevel::kInfo, std::string("bad \xff byte"));
  ASSERT_EQ(sink_.lines().size(), 1u);
  EXPECT_TRUE(nlohmann::json::accept(sink_.lines()[0])) << sink_.lines()[0];
}

TEST_F(LoggingTest, SecretsAreRedactedEverywhere) {
  RegisterSecret("s3cr3t-token");
  RegisterSecret("s3cr3t");  // a prefix of the first: the longer one still vanishes whole
  RegisterSecret("");
  STRATA_LOG(ERROR).Field("auth", "Bearer s3cr3t-token") << "login with s3cr3t failed, s3cr3t";
  SetLogFormat(LogFormat::kJson);
  Log(LogLevel::kInfo, "x", {{"s3cr3t", "s3cr3t-token"}});
  for (const std::string& line : sink_.lines()) {
    EXPECT_THAT(line, Not(HasSubstr("s3cr3t"))) << line;
    EXPECT_THAT(line, HasSubstr("***"));
  }
  EXPECT_THAT(sink_.lines()[0], HasSubstr("login with *** failed, ***"));
  EXPECT_THAT(sink_.lines()[0], HasSubstr("auth=\"Bearer ***\""));
  EXPECT_EQ(RedactSecrets("token=s3cr3t-token;"), "token=***;");
}

TEST_F(LoggingTest, ParsesCliFlags) {
  EXPECT_EQ(*ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_EQ(*ParseLogLevel("WARNING"), LogLevel::kWarn);
  EXPECT_EQ(*ParseLogLevel("off"), LogLevel::kOff);
  EXPECT_THAT(ParseLogLevel("loud").status().message(), HasSubstr("'loud'"));
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_FALSE(ParseLogFormat("xml").ok());

  ASSERT_TRUE(ConfigureLogging("error", "json").ok());
  EXPECT_EQ(GetLogLevel(), LogLevel::kError);
  EXPECT_EQ(GetLogFormat(), LogFormat::kJson);
  EXPECT_TRUE(ConfigureLogging("trace", "yaml").IsInvalidArgument());
  EXPECT_EQ(GetLogLevel(), LogLevel::kError) << "nothing changes on error";
}

TEST_F(LoggingTest, ConcurrentLinesStayWhole) {
  std::vector<std::thread> threads;
  threads.reserve(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < 200; ++i) {
        STRATA_LOG(INFO).Field("thread", std::to_string(t)) << "n=" << i;
      }
    });
  }
  for (auto& th : threads) th.join();
  std::vector<std::string> lines = sink_.lines();
  ASSERT_EQ(lines.size(), 1600u);
  for (const std::string& line : lines) {
    EXPECT_THAT(line, ::testing::MatchesRegex(".*INFO  n=[0-9]+ thread=[0-7]"));
  }
}

}  // namespace
}  // namespace strata
