#include "escrow/sqlite.hpp"

#include <sqlite3.h>

namespace verdict::escrow::sql {

Statement::~Statement() { sqlite3_finalize(stmt_); }

sqlite3* Statement::db() const { return sqlite3_db_handle(stmt_); }

Statement& Statement::bind(int index, std::int64_t v) {
  sqlite3_bind_int64(stmt_, index, v);
  return *this;
}

Statement& Statement::bind(int index, std::span<const std::uint8_t> blob) {
  // A zero-length blob must still be a blob, not NULL: pass a non-null pointer.
  static constexpr std::uint8_t kEmpty = 0;
  sqlite3_bind_blob64(stmt_, index, blob.empty() ? &kEmpty : blob.data(), blob.size(), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_text(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error{std::string("sqlite: ") + sqlite3_errmsg(db()) + " (in: " + sqlite3_sql(stmt_) + ")"};
}

Status Statement::run() {
  auto r = step();
  if (!r.ok()) return r.error();
  if (*r) return Error{std::string("sqlite: statement returned rows: ") + sqlite3_sql(stmt_)};
  return Status::ok_status();
}

std::int64_t Statement::int_at(int col) const { return sqlite3_column_int64(stmt_, col); }

std::vector<std::uint8_t> Statement::blob_at(int col) const {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, col));
  int n = sqlite3_column_bytes(stmt_, col);
  if (!p || n <= 0) return {};
  return std::vector<std::uint8_t>(p, p + n);
}

std::string Statement::text_at(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  int n = sqlite3_column_bytes(stmt_, col);
  if (!p || n <= 0) return {};
  return std::string(p, static_cast<std::size_t>(n));
}

bool Statement::null_at(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

int Statement::column_count() const { return sqlite3_column_count(stmt_); }

int Statement::type_at(int col) const { return sqlite3_column_type(stmt_, col); }

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Result<std::unique_ptr<Db>> Db::open(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Error{"sqlite: cannot open " + path + ": " + msg};
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<Db>(new Db(db));
}

Db::~Db() {
  cache_.clear();  // finalize statements before closing
  sqlite3_close(db_);
}

Status Db::exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return Error{"sqlite: " + msg + " (in: " + sql.substr(0, 80) + ")"};
  }
  return Status::ok_status();
}

Result<StatementRef> Db::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    it->second->reset();
    return StatementRef(it->second.get());
  }
  sqlite3_stmt* stmt = nullptr;
  int rc =
      sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size() + 1), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK)
    return Error{"sqlite: cannot prepare: " + std::string(sqlite3_errmsg(db_)) + " (in: " + sql + ")"};
  auto owned = std::make_unique<Statement>(stmt);
  Statement* p = owned.get();
  cache_.emplace(sql, std::move(owned));
  return StatementRef(p);
}

std::string Db::errmsg() const { return sqlite3_errmsg(db_); }

}  // namespace verdict::escrow::sql
