#include "lsp/features/diff.h"

#include <charconv>

namespace coderx::features {

namespace {

using model::Errc;

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Splits text into lines without their "\n" (and a trailing "\r" is kept: it is content).
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t eol = text.find('\n');
    lines.push_back(text.substr(0, eol));
    if (eol == std::string_view::npos) break;
    text.remove_prefix(eol + 1);
  }
  return lines;
}

std::string unquote(std::string_view q) {
  std::string out;
  for (std::size_t i = 1; i + 1 < q.size(); ++i) {
    char c = q[i];
    if (c != '\\' || i + 2 >= q.size()) {
      out += c;
      continue;
    }
    char e = q[++i];
    if (e >= '0' && e <= '7' && i + 2 < q.size()) {
      out += static_cast<char>(((e - '0') << 6) | ((q[i + 1] - '0') << 3) | (q[i + 2] - '0'));
      i += 2;
    } else {
      out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
    }
  }
  return out;
}

bool parse_range(std::string_view text, std::uint32_t& start, std::uint32_t& count) {
  std::size_t comma = text.find(',');
  std::string_view a = text.substr(0, comma);
  auto r1 = std::from_chars(a.data(), a.data() + a.size(), start);
  if (r1.ec != std::errc() || r1.ptr != a.data() + a.size()) return false;
  count = 1;
  if (comma == std::string_view::npos) return true;
  std::string_view b = text.substr(comma + 1);
  auto r2 = std::from_chars(b.data(), b.data() + b.size(), count);
  return r2.ec == std::errc() && r2.ptr == b.data() + b.size();
}

// "@@ -a,b +c,d @@ section"
bool parse_hunk_header(std::string_view line, Hunk& hunk) {
  if (!starts_with(line, "@@ -")) return false;
  std::size_t plus = line.find(" +", 4);
  std::size_t close = line.find(" @@", plus == std::string_view::npos ? 4 : plus);
  if (plus == std::string_view::npos || close == std::string_view::npos) return false;
  if (!parse_range(line.substr(4, plus - 4), hunk.old_start, hunk.old_count)) return false;
  if (!parse_range(line.substr(plus + 2, close - plus - 2), hunk.new_start, hunk.new_count))
    return false;
  std::string_view rest = line.substr(close + 3);
  if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  hunk.section = std::string(rest);
  return true;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : lines_(split_lines(text)) {}

  model::Result<std::vector<FileDiff>> run() {
    while (i_ < lines_.size()) {
      std::string_view line = lines_[i_];
      if (starts_with(line, "diff --git ")) {
        start_file(line);
      } else if (starts_with(line, "@@ ")) {
        if (auto r = read_hunk(); !r) return r.error();
        continue;
      } else {
        read_file_header(line);
      }
      ++i_;
    }
    for (FileDiff& f : files_)
      if (!f.submodule && shows_only_subproject_commits(f)) f.submodule = true;
    return std::move(files_);
  }

 private:
  // A dirty submodule in the working tree has no "index ... 160000" line, only its commit lines.
  static bool shows_only_subproject_commits(const FileDiff& f) {
    if (f.hunks.empty()) return false;
    for (const Hunk& h : f.hunks)
      for (const DiffLine& line : h.lines)
        if (!starts_with(line.text, "Subproject commit ")) return false;
    return true;
  }

  model::Error error(const std::string& what) const {
    return model::make_error(Errc::format, "diff line " + std::to_string(i_ + 1) + ": " + what);
  }

  FileDiff& current() {
    if (files_.empty()) files_.emplace_back();
    return files_.back();
  }

  void start_file(std::string_view line) {
    files_.emplace_back();
    std::string_view rest = line.substr(11);
    std::size_t split = rest.rfind(" b/");
    if (!rest.empty() && rest.front() == '"') split = rest.find("\" ") + 1;
    if (split == std::string_view::npos) return;
    files_.back().old_path = diff_path(rest.substr(0, split));
    files_.back().new_path = diff_path(rest.substr(split + 1));
  }

  void read_file_header(std::string_view line) {
    if (starts_with(line, "--- ")) {
      // Plain `diff -u` output has no "diff --git" line: "---" then starts the next file.
      if (files_.empty() || !current().hunks.empty()) files_.emplace_back();
      if (!starts_with(line, "--- /dev/null")) {
        current().old_path = diff_path(line.substr(4));
      } else {
        current().status = FileDiff::Status::added;
      }
    } else if (starts_with(line, "+++ ")) {
      if (starts_with(line, "+++ /dev/null")) {
        current().status = FileDiff::Status::deleted;
      } else {
        current().new_path = diff_path(line.substr(4));
      }
    } else if (starts_with(line, "new file mode")) {
      current().status = FileDiff::Status::added;
    } else if (starts_with(line, "deleted file mode")) {
      current().status = FileDiff::Status::deleted;
    } else if (starts_with(line, "rename from ")) {
      current().status = FileDiff::Status::renamed;
      current().old_path = diff_path(line.substr(12), false);
    } else if (starts_with(line, "rename to ")) {
      current().new_path = diff_path(line.substr(10), false);
    } else if (starts_with(line, "Binary files ") || starts_with(line, "GIT binary patch")) {
      current().binary = true;
    }
    // "index 1a2b..3c4d 160000", "new file mode 160000", "deleted file mode 160000", "new mode 120000"
    const bool mode_line = starts_with(line, "index ") || line.find("mode ") != std::string_view::npos;
    if (mode_line && line.ends_with(" 160000")) current().submodule = true;
    if (mode_line && line.ends_with(" 120000")) current().symlink = true;
  }

  model::Result<void> read_hunk() {
    Hunk hunk;
    if (!parse_hunk_header(lines_[i_], hunk)) return error("malformed hunk header");
    std::uint32_t old_line = hunk.old_start, new_line = hunk.new_start;
    std::uint32_t old_left = hunk.old_count, new_left = hunk.new_count;
    ++i_;
    while (i_ < lines_.size() && (old_left > 0 || new_left > 0)) {
      std::string_view line = lines_[i_];
      char tag = line.empty() ? ' ' : line.front();
      std::string text(line.empty() ? line : line.substr(1));
      if (tag == '\\') {
        ++i_;
        continue;
      }
      if (tag == ' ' && old_left > 0 && new_left > 0) {
        hunk.lines.push_back({DiffLine::Kind::context, old_line++, new_line++, std::move(text)});
        --old_left, --new_left;
      } else if (tag == '-' && old_left > 0) {
        hunk.lines.push_back({DiffLine::Kind::removed, old_line++, 0, std::move(text)});
        --old_left;
      } else if (tag == '+' && new_left > 0) {
        hunk.lines.push_back({DiffLine::Kind::added, 0, new_line++, std::move(text)});
        --new_left;
      } else {
        return error("hunk has fewer lines than its header announces");
      }
      ++i_;
    }
    if (old_left > 0 || new_left > 0) return error("diff ends inside a hunk");
    while (i_ < lines_.size() && starts_with(lines_[i_], "\\")) ++i_;
    current().hunks.push_back(std::move(hunk));
    return {};
  }

  std::vector<std::string_view> lines_;
  std::size_t i_ = 0;
  std::vector<FileDiff> files_;
};

}  // namespace

bool Hunk::covers_new_line(std::uint32_t line) const {
  for (const DiffLine& l : lines)
    if (l.new_line == line && l.kind != DiffLine::Kind::removed) return true;
  return false;
}

const Hunk* FileDiff::hunk_for_new_line(std::uint32_t line) const {
  for (const Hunk& h : hunks)
    if (h.covers_new_line(line)) return &h;
  return nullptr;
}

std::string diff_path(std::string_view raw, bool prefixed) {
  if (!raw.empty() && raw.front() != '"') raw = raw.substr(0, raw.find('\t'));  // diff -u dates
  while (!raw.empty() && (raw.back() == '\t' || raw.back() == ' ' || raw.back() == '\r'))
    raw.remove_suffix(1);
  std::string path = (!raw.empty() && raw.front() == '"') ? unquote(raw) : std::string(raw);
  if (path == "/dev/null") return "";
  if (prefixed && path.size() > 2 && (starts_with(path, "a/") || starts_with(path, "b/"))) path.erase(0, 2);
  return path;
}

model::Result<std::vector<FileDiff>> parse_unified_diff(std::string_view text) {
  return Parser(text).run();
}

}  // namespace coderx::features
