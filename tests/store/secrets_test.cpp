#include "secrets.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <limits>
#include <random>
#include <set>

namespace moim::server {
namespace {

namespace fs = std::filesystem;

std::array<unsigned char, 32> key_of(unsigned char fill) {
  std::array<unsigned char, 32> key;
  key.fill(fill);
  return key;
}

bool is_lower_hex(const std::string& text) {
  return text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

class SecretsTest : public ::testing::Test {
 protected:
  std::unique_ptr<Secrets> secrets_ = Secrets::with_key(key_of(1));
  std::unique_ptr<Secrets> other_ = Secrets::with_key(key_of(2));
};

TEST_F(SecretsTest, RandomTokensAreDistinctHex) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    const std::string token = secrets_->random_token();
    ASSERT_EQ(token.size(), 32u);
    ASSERT_TRUE(is_lower_hex(token)) << token;
    ASSERT_TRUE(seen.insert(token).second) << "repeated " << token;
  }
}

TEST_F(SecretsTest, DigestIsKeyedAndMatchesOnlyItsToken) {
  const std::string token = secrets_->random_token();
  const std::string digest = secrets_->digest(token);
  EXPECT_EQ(digest.size(), 64u);
  EXPECT_TRUE(is_lower_hex(digest));
  EXPECT_EQ(secrets_->digest(token), digest) << "deterministic";
  EXPECT_NE(other_->digest(token), digest) << "keyed";
  EXPECT_NE(secrets_->digest(token + "0"), digest);
  EXPECT_TRUE(secrets_->digest_matches(token, digest));
  EXPECT_FALSE(secrets_->digest_matches(token + "0", digest));
  EXPECT_FALSE(other_->digest_matches(token, digest));
  EXPECT_TRUE(secrets_->digest_matches("", secrets_->digest("")));
  // Malformed stored digests never match, whatever the token.
  std::string upper = digest;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const std::string& bad : {std::string(), digest.substr(1), digest + "0", upper, std::string(64, 'g'),
                                 std::string(64, '\0')}) {
    if (bad == digest) continue;  // an all-digit digest has no upper case
    EXPECT_FALSE(secrets_->digest_matches(token, bad)) << bad;
  }
}

TEST_F(SecretsTest, SessionRoundTrip) {
  constexpr auto kMaxId = std::numeric_limits<std::uint32_t>::max();
  for (const SessionClaims claims : {SessionClaims{1, 2, 1'700'000'000}, SessionClaims{0, 0, 0},
                                     SessionClaims{kMaxId, kMaxId, std::numeric_limits<std::int64_t>::min()},
                                     SessionClaims{kMaxId, kMaxId, std::numeric_limits<std::int64_t>::max()},
                                     SessionClaims{42, 7, -1}}) {
    const std::string token = secrets_->sign_session(claims);
    EXPECT_LE(token.size(), Secrets::kMaxSessionTokenChars) << token;
    for (char c : token) EXPECT_TRUE(c > ' ' && c < 0x7F) << token;
    EXPECT_EQ(secrets_->verify_session(token), claims) << token;
    EXPECT_EQ(other_->verify_session(token), std::nullopt) << "other key: " << token;
  }
  const SessionClaims claims{3, 4, 5};
  EXPECT_NE(secrets_->sign_session(claims), secrets_->sign_session(claims)) << "nonce makes tokens distinct";
}

TEST_F(SecretsTest, AnyChangedCharacterIsRejected) {
  const std::string token = secrets_->sign_session({12, 34, 1'700'000'000});
  ASSERT_TRUE(secrets_->verify_session(token));
  for (std::size_t i = 0; i < token.size(); ++i) {
    for (int c = 0; c < 256; ++c) {
      if (static_cast<char>(c) == token[i]) continue;
      std::string changed = token;
      changed[i] = static_cast<char>(c);
      ASSERT_EQ(secrets_->verify_session(changed), std::nullopt) << "position " << i << " char " << c;
    }
    std::string removed = token;
    removed.erase(i, 1);
    ASSERT_EQ(secrets_->verify_session(removed), std::nullopt) << "removed " << i;
    std::string inserted = token;
    inserted.insert(i, 1, token[i]);
    ASSERT_EQ(secrets_->verify_session(inserted), std::nullopt) << "doubled " << i;
  }
  EXPECT_EQ(secrets_->verify_session(token + "0"), std::nullopt);
  EXPECT_EQ(secrets_->verify_session(token + "."), std::nullopt);
  EXPECT_EQ(secrets_->verify_session(" " + token), std::nullopt);
}

TEST_F(SecretsTest, GarbageIsRejectedWithoutCrashing) {
  const std::string mac(64, '0'), nonce(16, '0');
  for (const std::string& bad :
       {std::string(), std::string("s1"), std::string("s1."), std::string("s1....."), std::string("s2.1.2.3.") + nonce +
        "." + mac, "s1.1.2.3." + nonce + "." + mac, "s1.01.2.3." + nonce + "." + mac, "s1.-1.2.3." + nonce + "." + mac,
        "s1.4294967296.2.3." + nonce + "." + mac, "s1.1.2.99999999999999999999." + nonce + "." + mac,
        "s1.1.2.3." + nonce + "." + mac + ".", std::string(1 << 20, 's'), std::string(1 << 20, '\0'),
        std::string("s1.1.2.3.\0\0", 11)}) {
    EXPECT_EQ(secrets_->verify_session(bad), std::nullopt) << bad.substr(0, 80);
  }
  // Random bytes, and random tokens of the right shape.
  std::mt19937_64 random(12345);
  for (int i = 0; i < 20000; ++i) {
    std::string bytes(random() % 160, '\0');
    for (char& c : bytes) c = static_cast<char>(random());
    if (i % 2 == 0 && bytes.size() >= 3) bytes.replace(0, 3, "s1.");
    ASSERT_EQ(secrets_->verify_session(bytes), std::nullopt);
    std::string shaped = "s1." + std::to_string(random() % 100) + "." + std::to_string(random() % 100) + "." +
                         std::to_string(random()) + "." + secrets_->random_token().substr(0, 16) + "." +
                         secrets_->random_token() + secrets_->random_token();
    ASSERT_EQ(secrets_->verify_session(shaped), std::nullopt) << shaped;
  }
}

TEST(SecretsFile, KeyPersistsAcrossOpenWithPrivateModes) {
  test::TempDir tmp;
  const fs::path dir = tmp.path() / "data";
  std::string error;
  auto first = Secrets::open(dir, error);
  ASSERT_NE(first, nullptr) << error;
  const std::string token = first->random_token();
  const std::string session = first->sign_session({1, 2, 3});
  first.reset();

  auto second = Secrets::open(dir, error);
  ASSERT_NE(second, nullptr) << error;
  EXPECT_TRUE(second->digest_matches(token, Secrets::open(dir, error)->digest(token)));
  EXPECT_EQ(second->verify_session(session), (SessionClaims{1, 2, 3}));

  struct stat info {};
  ASSERT_EQ(::stat((dir / "secret.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(info.st_size, 32);
  ASSERT_EQ(::stat(dir.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  // No temporary file left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST(SecretsFile, EmptyPathGivesAFreshKeyEachTime) {
  std::string error;
  auto a = Secrets::open("", error);
  auto b = Secrets::open("", error);
  ASSERT_TRUE(a && b) << error;
  EXPECT_NE(a->digest("x"), b->digest("x"));
  EXPECT_EQ(b->verify_session(a->sign_session({1, 1, 1})), std::nullopt);
}

TEST(SecretsFile, BadKeyFilesAreRefusedWithAMessage) {
  test::TempDir tmp;
  const fs::path key = tmp.path() / "secret.key";
  std::string error;
  std::ofstream(key) << "too short";
  fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  EXPECT_EQ(Secrets::open(tmp.path(), error), nullptr);
  EXPECT_NE(error.find("exactly 32 bytes"), std::string::npos) << error;

  std::ofstream(key, std::ios::trunc) << std::string(32, 'k');
  fs::permissions(key, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read,
                  fs::perm_options::replace);
  EXPECT_EQ(Secrets::open(tmp.path(), error), nullptr);
  EXPECT_NE(error.find("mode 0444"), std::string::npos) << error;

  fs::permissions(key, fs::perms::owner_read, fs::perm_options::replace);
  EXPECT_NE(Secrets::open(tmp.path(), error), nullptr) << error;
}

}  // namespace
}  // namespace moim::server
