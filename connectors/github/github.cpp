#include "connectors/github/github.hpp"

#include "connectors/http_tool.hpp"
#include "messages/errc.hpp"

#include <boost/json/array.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <string>

namespace sagemcp::connectors::github {

namespace {

namespace json = boost::json;

// Schema pieces shared by many tools.
#define SAGEMCP_GITHUB_REPO_PROPS                                                                                              \
  R"("owner":{"type":"string","minLength":1,"description":"Account that owns the repository (user or organization login)."},)" \
  R"("repo":{"type":"string","minLength":1,"description":"Repository name, without the owner."})"
#define SAGEMCP_GITHUB_LIMIT_PROP                                                                  \
  R"("limit":{"type":"integer","minimum":1,"maximum":100,"description":"Most items to return (default 30)."})"

constexpr std::string_view read_only = R"({"readOnlyHint":true,"openWorldHint":true})";
constexpr std::string_view creates
  = R"({"readOnlyHint":false,"destructiveHint":false,"idempotentHint":false,"openWorldHint":true})";
constexpr std::string_view updates
  = R"({"readOnlyHint":false,"destructiveHint":false,"idempotentHint":true,"openWorldHint":true})";

constexpr fixed_header headers[] = {{"Accept", "application/vnd.github+json"},
                                    {"X-GitHub-Api-Version", "2022-11-28"}};
constexpr std::string_view error_paths[] = {"message", "errors"};

// --- hooks -----------------------------------------------------------------------------------

const json::string* text_arg(const json::object& args, std::string_view name) {
  const auto* value = args.if_contains(name);
  return value != nullptr && value->is_string() ? &value->get_string() : nullptr;
}

// /user/… for the authenticated user, /users/{username}/… for another account.
caf::error user_or_self(const json::object& args, outbound_call& call) {
  if (const auto* user = text_arg(args, "username"); user != nullptr && !user->empty()) {
    call.path = "/users/" + encode_segment(*user)
                + call.path.substr(std::string_view{"/user"}.size());
  }
  return {};
}

caf::error search_by_email(const json::object& args, outbound_call& call) {
  const auto* email = text_arg(args, "email");
  if (email == nullptr || email->find('@') == json::string::npos) {
    return invalid_argument("email", "must be an email address");
  }
  call.query.emplace_back("q", std::string{*email} + " in:email");
  return {};
}

caf::error runs_of_workflow(const json::object& args, outbound_call& call) {
  if (const auto* workflow = args.if_contains("workflow_id");
      workflow != nullptr && !workflow->is_null()) {
    auto id = workflow->is_string() ? std::string{workflow->get_string()}
                                    : std::to_string(workflow->to_number<int64_t>());
    auto runs = call.path.rfind("/runs");
    call.path = call.path.substr(0, runs) + "/workflows/" + encode_segment(id) + "/runs";
  }
  return {};
}

caf::error release_by_id_or_tag(const json::object& args, outbound_call& call) {
  const auto* id = args.if_contains("release_id");
  const auto* tag = text_arg(args, "tag");
  if (id != nullptr && !id->is_null() && tag != nullptr) {
    return invalid_argument("tag", "cannot be given together with 'release_id'");
  }
  if (id != nullptr && !id->is_null()) {
    call.path += "/" + std::to_string(id->to_number<int64_t>());
  } else if (tag != nullptr) {
    call.path += "/tags/" + encode_segment(*tag);
  } else {
    call.path += "/latest";
  }
  return {};
}

caf::expected<json::value> token_scopes(const json::object&,
                                        std::span<const upstream_reply> replies) {
  const auto& reply = replies.front();
  json::object out;
  if (const auto* login = at_path(reply.body, "login"); login != nullptr) {
    out["login"] = *login;
  }
  json::array scopes;
  auto header = reply.header("x-oauth-scopes");
  bool classic = false;
  for (const auto& h : reply.headers) {
    classic = classic || h.name == "x-oauth-scopes";
  }
  size_t start = 0;
  while (start < header.size()) {
    auto comma = header.find(',', start);
    auto scope = header.substr(start, comma == std::string_view::npos ? std::string_view::npos
                                                                      : comma - start);
    while (!scope.empty() && scope.front() == ' ') {
      scope.remove_prefix(1);
    }
    while (!scope.empty() && scope.back() == ' ') {
      scope.remove_suffix(1);
    }
    if (!scope.empty()) {
      scopes.emplace_back(scope);
    }
    if (comma == std::string_view::npos) {
      break;
    }
    start = comma + 1;
  }
  out["token_type"] = classic ? "oauth_or_classic" : "fine_grained_or_app";
  out["scopes"] = std::move(scopes);
  if (!classic) {
    out["note"] = "GitHub does not list scopes for fine-grained tokens and GitHub App tokens; "
                  "their permissions are set per repository.";
  }
  for (auto [field, member] : {std::pair{"x-ratelimit-remaining", "rate_limit_remaining"},
                               std::pair{"x-ratelimit-limit", "rate_limit"}}) {
    auto text = reply.header(field);
    int64_t value = 0;
    if (std::from_chars(text.data(), text.data() + text.size(), value).ec == std::errc{}) {
      out[member] = value;
    }
  }
  return out;
}

caf::expected<json::value> file_content(const json::object&,
                                        std::span<const upstream_reply> replies) {
  const auto& body = replies.front().body;
  if (const auto* entries = body.if_array()) {
    json::array listing;
    for (const auto& entry : *entries) {
      listing.push_back(project(entry, "name,path,type,size"));
    }
    return json::object{{"type", "dir"}, {"entries", std::move(listing)}};
  }
  auto out = project(body, "name,path,type,size,sha,html_url");
  const auto* encoding = at_path(body, "encoding");
  const auto* content = at_path(body, "content");
  if (content == nullptr || !content->is_string()) {
    return out;
  }
  bool base64 = encoding != nullptr && encoding->is_string() && encoding->get_string() == "base64";
  put_file_text(out.as_object(),
                base64 ? decode_base64(content->get_string()) : std::string{content->get_string()});
  return out;
}

// Share of each language in a `languages` answer (bytes by language), largest first.
json::array language_shares(const json::value& languages, size_t most) {
  std::vector<std::pair<std::string, double>> sizes;
  double total = 0;
  if (const auto* obj = languages.if_object()) {
    for (const auto& [name, bytes] : *obj) {
      if (bytes.is_number()) {
        sizes.emplace_back(std::string{name}, bytes.to_number<double>());
        total += sizes.back().second;
      }
    }
  }
  std::sort(sizes.begin(), sizes.end(), [](const auto& a, const auto& b) {
    return a.second > b.second;
  });
  json::array out;
  for (size_t i = 0; i < sizes.size() && i < most; ++i) {
    double share = total > 0 ? sizes[i].second * 1000 / total : 0;
    out.push_back(json::object{{"language", sizes[i].first},
                               {"percent", static_cast<double>(static_cast<int64_t>(share)) / 10}});
  }
  return out;
}

caf::expected<json::value> repo_stats(const json::object&,
                                      std::span<const upstream_reply> replies) {
  auto out = project(replies[0].body,
                     "full_name,stargazers_count,watchers_count,subscribers_count,forks_count,"
                     "open_issues_count,size,default_branch,created_at,pushed_at,archived");
  out.as_object()["languages"] = language_shares(replies[1].body, 10);
  json::array contributors;
  if (const auto* list = replies[2].body.if_array()) {
    for (const auto& person : *list) {
      contributors.push_back(project(person, "login,contributions"));
    }
  }
  out.as_object()["top_contributors"] = std::move(contributors);
  return out;
}

caf::expected<json::value> user_stats(const json::object&,
                                      std::span<const upstream_reply> replies) {
  auto out = project(replies[0].body,
                     "login,name,public_repos,public_gists,followers,following,created_at");
  int64_t stars = 0;
  int64_t forks = 0;
  std::map<std::string, int64_t> languages;
  std::vector<std::pair<int64_t, std::string>> starred;
  size_t counted = 0;
  if (const auto* repos = replies[1].body.if_array()) {
    for (const auto& repo : *repos) {
      ++counted;
      const auto* s = at_path(repo, "stargazers_count");
      const auto* f = at_path(repo, "forks_count");
      const auto* lang = at_path(repo, "language");
      const auto* name = at_path(repo, "full_name");
      auto star_count = s != nullptr && s->is_number() ? s->to_number<int64_t>() : 0;
      stars += star_count;
      forks += f != nullptr && f->is_number() ? f->to_number<int64_t>() : 0;
      if (lang != nullptr && lang->is_string()) {
        ++languages[std::string{lang->get_string()}];
      }
      if (name != nullptr && name->is_string()) {
        starred.emplace_back(star_count, std::string{name->get_string()});
      }
    }
  }
  std::sort(starred.begin(), starred.end(), [](const auto& a, const auto& b) {
    return a.first > b.first;
  });
  json::array top;
  for (size_t i = 0; i < starred.size() && i < 5; ++i) {
    top.push_back(json::object{{"repository", starred[i].second}, {"stars", starred[i].first}});
  }
  std::vector<std::pair<int64_t, std::string>> by_count;
  by_count.reserve(languages.size());
  for (auto& [lang, count] : languages) {
    by_count.emplace_back(count, lang);
  }
  std::sort(by_count.begin(), by_count.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  json::array langs;
  for (size_t i = 0; i < by_count.size() && i < 10; ++i) {
    langs.push_back(
      json::object{{"language", by_count[i].second}, {"repositories", by_count[i].first}});
  }
  auto& obj = out.as_object();
  obj["repositories_counted"] = counted;
  obj["total_stars"] = stars;
  obj["total_forks"] = forks;
  obj["top_repositories"] = std::move(top);
  obj["languages"] = std::move(langs);
  return out;
}

// --- tools -----------------------------------------------------------------------------------

constexpr pagination list{paging::link_header};
constexpr pagination search_list{paging::link_header, "items"};

constexpr std::string_view repo_fields
  = "full_name,description,private,fork,archived,language,stargazers_count,forks_count,"
    "open_issues_count,default_branch,updated_at,html_url";
constexpr std::string_view issue_list_fields
  = "number,title,state,user.login,labels[].name,assignees[].login,comments,created_at,updated_at,"
    "closed_at,html_url,pull_request.html_url";
constexpr std::string_view issue_fields
  = "number,title,state,state_reason,body,user.login,labels[].name,assignees[].login,"
    "milestone.title,comments,created_at,updated_at,closed_at,html_url,pull_request.html_url";
constexpr std::string_view run_fields
  = "id,name,display_title,status,conclusion,event,head_branch,head_sha,run_number,run_attempt,"
    "created_at,updated_at,html_url";

constexpr arg_binding list_repositories_args[] = {{"username", arg_in::none}};
constexpr http_tool list_repositories_call{.method = http_method::get,
                                           .path = "/user/repos",
                                           .args = list_repositories_args,
                                           .pages = list,
                                           .keep = repo_fields,
                                           .prepare = user_or_self};

constexpr http_tool get_repository{
  .path = "/repos/{owner}/{repo}",
  .keep = "full_name,description,private,fork,archived,language,topics,stargazers_count,"
          "watchers_count,subscribers_count,forks_count,open_issues_count,default_branch,"
          "license.spdx_id,owner.login,homepage,size,created_at,updated_at,pushed_at,html_url"};
constexpr http_tool list_issues{.path = "/repos/{owner}/{repo}/issues",
                                .pages = list,
                                .keep = issue_list_fields};
constexpr http_tool get_issue{.path = "/repos/{owner}/{repo}/issues/{issue_number}",
                              .keep = issue_fields};
constexpr std::string_view issue_written = "number,title,state,labels[].name,assignees[].login,"
                                           "created_at,updated_at,html_url";
constexpr http_tool create_issue{.method = http_method::post,
                                 .path = "/repos/{owner}/{repo}/issues",
                                 .keep = issue_written};
constexpr http_tool update_issue{.method = http_method::patch,
                                 .path = "/repos/{owner}/{repo}/issues/{issue_number}",
                                 .keep = issue_written};
constexpr http_tool get_file_content{.path = "/repos/{owner}/{repo}/contents/{+path}",
                                     .shape = file_content};
constexpr http_tool list_pull_requests{
  .path = "/repos/{owner}/{repo}/pulls",
  .pages = list,
  .keep = "number,title,state,draft,user.login,head.ref,base.ref,labels[].name,created_at,"
          "updated_at,merged_at,closed_at,html_url"};
constexpr arg_binding search_args[] = {{"query", arg_in::query, "q"}};
constexpr http_tool search_repositories{
  .path = "/search/repositories",
  .args = search_args,
  .pages = search_list,
  .keep = "full_name,description,language,stargazers_count,forks_count,updated_at,html_url"};
constexpr http_tool check_token_scopes{.path = "/user", .shape = token_scopes};
constexpr arg_binding username_hook[] = {{"username", arg_in::none}};
constexpr http_tool list_organizations{.path = "/user/orgs",
                                       .args = username_hook,
                                       .pages = list,
                                       .keep = "login,description",
                                       .prepare = user_or_self};
constexpr http_tool get_user_info{
  .path = "/user",
  .args = username_hook,
  .keep = "login,name,type,company,blog,location,email,bio,twitter_username,public_repos,"
          "followers,following,created_at,html_url",
  .prepare = user_or_self};
constexpr arg_binding email_hook[] = {{"email", arg_in::none}};
constexpr http_tool search_users_by_email{.path = "/search/users",
                                          .args = email_hook,
                                          .pages = search_list,
                                          .keep = "login,type,html_url",
                                          .prepare = search_by_email};
constexpr http_tool list_commits{
  .path = "/repos/{owner}/{repo}/commits",
  .pages = list,
  .keep = "sha,commit.message,commit.author.name,commit.author.date,author.login,html_url"};
constexpr http_tool get_commit{
  .path = "/repos/{owner}/{repo}/commits/{ref}",
  .keep = "sha,html_url,commit.message,commit.author,commit.committer.date,author.login,"
          "parents[].sha,stats,files[].filename,files[].status,files[].additions,"
          "files[].deletions"};
constexpr http_tool compare_commits{
  .path = "/repos/{owner}/{repo}/compare/{base}...{head}",
  .keep = "status,ahead_by,behind_by,total_commits,html_url,commits[].sha,"
          "commits[].commit.message,commits[].commit.author.name,commits[].commit.author.date,"
          "files[].filename,files[].status,files[].additions,files[].deletions"};
constexpr http_tool list_branches{.path = "/repos/{owner}/{repo}/branches",
                                  .pages = list,
                                  .keep = "name,protected,commit.sha"};
constexpr http_tool get_branch{
  .path = "/repos/{owner}/{repo}/branches/{branch}",
  .keep = "name,protected,commit.sha,commit.commit.message,commit.commit.author.name,"
          "commit.commit.author.date,_links.html"};
constexpr http_tool get_user_activity{
  .path = "/users/{username}/events",
  .pages = list,
  .keep = "type,repo.name,created_at,payload.action,payload.ref,payload.ref_type,payload.size"};
constexpr http_step user_repos[]
  = {{http_method::get, "/users/{username}/repos", "per_page=100&sort=pushed"}};
constexpr http_tool get_user_stats{.path = "/users/{username}",
                                   .shape = user_stats,
                                   .also = user_repos};
constexpr http_tool list_contributors{.path = "/repos/{owner}/{repo}/contributors",
                                      .pages = list,
                                      .keep = "login,type,contributions"};
constexpr http_step repo_parts[]
  = {{http_method::get, "/repos/{owner}/{repo}/languages"},
     // GitHub answers 204 while it computes contributors of a large repository.
     {http_method::get, "/repos/{owner}/{repo}/contributors", "per_page=10", true}};
constexpr http_tool get_repo_stats{.path = "/repos/{owner}/{repo}",
                                   .shape = repo_stats,
                                   .also = repo_parts};
constexpr http_tool list_workflows{.path = "/repos/{owner}/{repo}/actions/workflows",
                                   .pages = {paging::link_header, "workflows"},
                                   .keep = "id,name,path,state,html_url"};
constexpr arg_binding workflow_hook[] = {{"workflow_id", arg_in::none}};
constexpr http_tool list_workflow_runs{.path = "/repos/{owner}/{repo}/actions/runs",
                                       .args = workflow_hook,
                                       .pages = {paging::link_header, "workflow_runs"},
                                       .keep = run_fields,
                                       .prepare = runs_of_workflow};
constexpr http_tool get_workflow_run{
  .path = "/repos/{owner}/{repo}/actions/runs/{run_id}",
  .keep = "id,name,display_title,status,conclusion,event,head_branch,head_sha,run_number,"
          "run_attempt,created_at,updated_at,run_started_at,html_url,actor.login,"
          "triggering_actor.login,path"};
constexpr http_tool list_releases{
  .path = "/repos/{owner}/{repo}/releases",
  .pages = list,
  .keep = "id,tag_name,name,draft,prerelease,created_at,published_at,author.login,html_url"};
constexpr arg_binding release_hook[] = {{"release_id", arg_in::none}, {"tag", arg_in::none}};
constexpr http_tool get_release{
  .path = "/repos/{owner}/{repo}/releases",
  .args = release_hook,
  .keep = "id,tag_name,name,body,draft,prerelease,created_at,published_at,author.login,html_url,"
          "assets[].name,assets[].size,assets[].download_count,assets[].browser_download_url",
  .prepare = release_by_id_or_tag};

constexpr tool_spec tools[] = {
  rest_tool(
    "github_list_repositories", "List repositories",
    "List repositories of the authenticated user, or the public repositories of another user "
    "when `username` is given, most recently updated first by default.",
    R"({"type":"object","properties":{"username":{"type":"string","minLength":1,"description":"Another user's login; omit for your own repositories."},"type":{"type":"string","enum":["all","owner","public","private","member"],"description":"Which repositories to include (default all; public and private only for your own)."},"sort":{"type":"string","enum":["created","updated","pushed","full_name"]},"direction":{"type":"string","enum":["asc","desc"]},)" SAGEMCP_GITHUB_LIMIT_PROP
    R"(},"additionalProperties":false})",
    read_only, list_repositories_call),
  rest_tool(
    "github_get_repository", "Get a repository",
    "Get a repository's details: description, visibility, language, topics, counts, default "
    "branch and license.",
    R"({"type":"object","properties":{)" SAGEMCP_GITHUB_REPO_PROPS
    R"(},"required":["owner","repo"],"additionalProperties":false})",
    read_only, get_repository),
  rest_tool(
    "github_list_issues", "List issues",
    "List issues of a repository (GitHub counts pull requests as issues; they carry a "
    "pull_request link).",
    R"({"type":"object","properties":{)" SAGEMCP_GITHUB_REPO_PROPS
    R"(,"state":{"type":"string","enum":["open","closed","all"],"description":"Default open."},"labels":{"type":"array","items":{"type":"string"},"description":"Only issues with all these labels."},"assignee":{"type":"string","description":"A login, `none` or `*`."},"creator":{"type":"string"},"mentioned":{"type":"string"},"since":{"type":"string","description":"Only issues updated at or after this ISO 8601 time."},"sort":{"type":"string","enum":["created","updated","comments"]},"direction":{"type":"string","enum":["asc","desc"]},)" SAGEMCP_GITHUB_LIMIT_PROP
    R"(},"required":["owner","repo"],"additionalProperties":false})",
    read_only, list_issues),
  rest_tool(
    "github_get_issue", "Get an issue",
    "Get one issue (or pull request) with its body, labels, assignees and milestone.",
    R"({"type":"object","properties":{)" SAGEMCP_GITHUB_REPO_PROPS
    R"(,"issue_number":{"type":"integer","minimum":1}},"required":["owner","repo","issue_number"],"additionalProperties":false})",
    read_only, get_issue),
  rest_tool(
    "github_create_issue", "Create an issue", "Open a new issue in a repository.",
    R"({"type":"object","properties":{)" SAGEMCP_GITHUB_REPO_PROPS
    R"(,"title":{"type":"string","minLength":1},"body":{"type":"string","description":"Markdown text."},"labels":{"type":"array","items":{"type":"string"}},"assignees":{"type":"array","items":{"type":"string"},"description":"Logins to assign."},"milestone":{"type":"integer","description":"Milestone number."}},"required":["owner","repo","title"],"additionalProperties":false})",
    creates, create_issue),
  rest_tool(
    "github_update_issue", "Update an issue",
    "Change an issue's title, body, state, labels, assignees or milestone; fields left out stay "
    "as they are.",
    R"({"type":"object","properties":{)" SAGEMCP_GITHUB_REPO_PROPS
    R"(,"issue_number":{"type":"integer","minimum":1},"title":{"type":"string","minLength":1},"body":{"type":"string"},"state":{"type":"string","enum":["open","closed"]},"state_reason":{"type":"string","enum":["completed","not_planned","reopened"]},"labels":{"type":"array","items":{"type":"string"},"description":"Replaces every label."},"assignees":{"type":"array","items":{"type":"string"},"description":"Replaces every assignee."},"milestone":{"type":["integer","null"]}},"required":["owner","repo","issue_number"],"additionalProperties":false})",
    updates, update_issue),
  rest_tool(
    "github_get_file_content", "Get a file",
    "Read a file of a repository as text (up to 48 KiB), or list a directory.",
    R"({"type":"object","properties":{)" SAGEMCP_GITHUB_REPO_PROPS
    R"(,"path":{"type":"string","minLength":1,"description":"Path inside the repository, such as src/main.c."},"ref":{"type":"string","description":"Branch, tag or commit; default branch when omitted."}},"required":["owner","repo","path"],"additionalProperties":false})",
    read_only, get_file_content),
  rest_tool(
    "github_list_pull_requests", "List pull requests", "List pull requests of a repository.",
    R"({"type":"object","properties":{)" SAGEMCP_GITHUB_REPO_PROPS
    R"(,"state":{"type":"string","enum":["open","closed","all"]},"head":{"type":"string","description":"user:branch"},"base":{"type":"string","description":"Base branch name."},"sort":{"type":"string","enum":["created","updated","popularity","long-running"]},"direction":{"type":"string","enum":["asc","desc"]},)" SAGEMCP_GITHUB_LIMIT_PROP
    R"(},"required":["owner","repo"],"additionalProperties":false})",
    read_only, list_pull_requests),
  rest_tool(
    "github_search_repositories", "Search repositories",
    "Search public and accessible repositories with GitHub's search syntax (for example "
    "`language:rust stars:>1000 topic:cli`).",
    R"({"type":"object","properties":{"query":{"type":"string","minLength":1,"description":"GitHub search query."},"sort":{"type":"string","enum":["stars","forks","help-wanted-issues","updated"]},"order":{"type":"string","enum":["asc","desc"]},)" SAGEMCP_GITHUB_LIMIT_PROP
    R"(},"required":["query"],"additionalProperties":false})",
    read_only, search_repositories),
  rest_tool(
    "github_check_token_scopes", "Check token scopes",
    "Show whose credential the connector uses, its OAuth scopes and the remaining rate limit.",
    R"({"type":"object","properties":{},"additionalProperties":false})", read_only,
    check_token_scopes),
  rest_tool(
    "github_list_organizations", "List organizations",
    "List the organizations of the authenticated user, or another user's public memberships.",
    R"({"type":"object","properties":{"username":{"type":"string","minLength":1,"description":"Another user's login; omit for your own."},)" SAGEMCP_GITHUB_LIMIT_PROP
    R"(},"additionalProperties":false})",
    read_only, list_organizations),
  rest_tool(
    "github_get_user_info", "Get user information",
    "Get the profile of the authenticated user, or of another user by login.",
    R"({"type":"object","properties":{"username":{"type":"string","minLength":1,"description":"Another user's login; omit for your own profile."}},"additionalProperties":false})",
    read_only, get_user_info),
  rest_tool(
    "github_search_users_by_email", "Find users by email",
    "Find GitHub accounts whose public email matches an address.",
    R"({"type":"object","properties":{"email":{"type":"string","minLength":3,"description":"Email address."},)" SAGEMCP_GITHUB_LIMIT_PROP
    R"(},"required":["email"],"additionalProperties":false})",
    read_only, search_users_by_email),
  rest_tool(
    "github_list_commits", "List commits",
    "List commits of a branch, newest first, optionally only those touching a path or by an "
    "author.",
    R"({"type":"object","properties":{)" SAGEMCP_GITHUB_REPO_PROPS
    R"(,"sha":{"type":"string","description":"Branch, tag or commit to start from; default branch when omitted."},"path":{"type":"string","description":"Only commits touching this path."},"author":{"type":"string","description":"Login or email."},"since":{"type":"string","description":"ISO 8601 time."},"until":{"type":"string","description":"ISO 8601 time."},)" SAGEMCP_GITHUB_LIMIT_PROP
    R"(},"required":["owner","repo"],"additionalProperties":false})",
    read_only, list_commits),
  rest_tool(
    "github_get_commit", "Get a commit",
    "Get a commit's message, author, parents, line statistics and changed files (without "
    "patches).",
    R"({"type":"object","properties":{)" SAGEMCP_GITHUB_REPO_PROPS
    R"(,"ref":{"type":"string","minLength":1,"description":"Commit SHA, branch or tag."}},"required":["owner","repo","ref"],"additionalProperties":false})",
    read_only, get_commit),
  rest_tool(
    "github_compare_commits", "Compare commits",
    "Compare two branches, tags or commits: how far apart they are, the commits between them and "
    "the files changed.",
    R"({"type":"object","properties":{)" SAGEMCP_GITHUB_REPO_PROPS
    R"(,"base":{"type":"string","minLength":1},"head":{"type":"string","minLength":1}},"required":["owner","repo","base","head"],"additionalProperties":false})",
    read_only, compare_commits),
  rest_tool(
    "github_list_branches", "List branches", "List the branches of a repository.",
    R"({"type":"object","properties":{)" SAGEMCP_GITHUB_REPO_PROPS
    R"(,"protected":{"type":"boolean","description":"Only protected (true) or unprotected (false) branches."},)" SAGEMCP_GITHUB_LIMIT_PROP
    R"(},"required":["owner","repo"],"additionalProperties":false})",
    read_only, list_branches),
  rest_tool(
    "github_get_branch", "Get a branch",
    "Get a branch with its latest commit and protection status.",
    R"({"type":"object","properties":{)" SAGEMCP_GITHUB_REPO_PROPS
    R"(,"branch":{"type":"string","minLength":1}},"required":["owner","repo","branch"],"additionalProperties":false})",
    read_only, get_branch),
  rest_tool(
    "github_get_user_activity", "Get user activity",
    "List a user's recent public events (pushes, issues, pull requests, reviews), newest first.",
    R"({"type":"object","properties":{"username":{"type":"string","minLength":1},)" SAGEMCP_GITHUB_LIMIT_PROP
    R"(},"required":["username"],"additionalProperties":false})",
    read_only, get_user_activity),
  rest_tool(
    "github_get_user_stats", "Get user statistics",
    "Summarize a user's profile and public repositories: followers, stars and forks received, "
    "most starred repositories and languages (over up to 100 most recently pushed repositories).",
    R"({"type":"object","properties":{"username":{"type":"string","minLength":1}},"required":["username"],"additionalProperties":false})",
    read_only, get_user_stats),
  rest_tool(
    "github_list_contributors", "List contributors",
    "List a repository's contributors by number of commits.",
    R"({"type":"object","properties":{)" SAGEMCP_GITHUB_REPO_PROPS
    R"(,"anon":{"type":"boolean","description":"Include anonymous contributors."},)" SAGEMCP_GITHUB_LIMIT_PROP
    R"(},"required":["owner","repo"],"additionalProperties":false})",
    read_only, list_contributors),
  rest_tool(
    "github_get_repo_stats", "Get repository statistics",
    "Summarize a repository: stars, watchers, forks, open issues, size, language shares and top "
    "contributors.",
    R"({"type":"object","properties":{)" SAGEMCP_GITHUB_REPO_PROPS
    R"(},"required":["owner","repo"],"additionalProperties":false})",
    read_only, get_repo_stats),
  rest_tool(
    "github_list_workflows", "List workflows", "List the GitHub Actions workflows of a repository.",
    R"({"type":"object","properties":{)" SAGEMCP_GITHUB_REPO_PROPS R"(,)" SAGEMCP_GITHUB_LIMIT_PROP
    R"(},"required":["owner","repo"],"additionalProperties":false})",
    read_only, list_workflows),
  rest_tool(
    "github_list_workflow_runs", "List workflow runs",
    "List GitHub Actions runs of a repository, or of one workflow, newest first.",
    R"({"type":"object","properties":{)" SAGEMCP_GITHUB_REPO_PROPS
    R"(,"workflow_id":{"type":["integer","string"],"description":"Workflow id or file name (ci.yml); all workflows when omitted."},"branch":{"type":"string"},"event":{"type":"string","description":"push, pull_request, schedule, …"},"status":{"type":"string","enum":["completed","action_required","cancelled","failure","neutral","skipped","stale","success","timed_out","in_progress","queued","requested","waiting","pending"]},"actor":{"type":"string"},)" SAGEMCP_GITHUB_LIMIT_PROP
    R"(},"required":["owner","repo"],"additionalProperties":false})",
    read_only, list_workflow_runs),
  rest_tool(
    "github_get_workflow_run", "Get a workflow run",
    "Get one GitHub Actions run: status, conclusion, trigger, branch, commit and timing.",
    R"({"type":"object","properties":{)" SAGEMCP_GITHUB_REPO_PROPS
    R"(,"run_id":{"type":"integer","minimum":1}},"required":["owner","repo","run_id"],"additionalProperties":false})",
    read_only, get_workflow_run),
  rest_tool("github_list_releases", "List releases", "List a repository's releases, newest first.",
            R"({"type":"object","properties":{)" SAGEMCP_GITHUB_REPO_PROPS
            R"(,)" SAGEMCP_GITHUB_LIMIT_PROP
            R"(},"required":["owner","repo"],"additionalProperties":false})",
            read_only, list_releases),
  rest_tool(
    "github_get_release", "Get a release",
    "Get a release by id or tag, or the latest release when neither is given, with its notes and "
    "assets.",
    R"({"type":"object","properties":{)" SAGEMCP_GITHUB_REPO_PROPS
    R"(,"release_id":{"type":"integer","minimum":1},"tag":{"type":"string","minLength":1}},"required":["owner","repo"],"additionalProperties":false})",
    read_only, get_release),
};

#undef SAGEMCP_GITHUB_REPO_PROPS
#undef SAGEMCP_GITHUB_LIMIT_PROP

constexpr config_field configuration[] = {
  {"token", "Access token", "A personal access token, classic or fine-grained.", true, false},
  {"base_url", "API URL",
   "GitHub Enterprise Server API URL, such as https://github.example.com/api/v3; "
   "https://api.github.com when empty.",
   false, false},
  credential_mode_config,
};

constexpr http_api api{.service = "GitHub",
                       .base_url = "https://api.github.com",
                       .headers = headers,
                       .oauth_provider = "github",
                       .error_paths = error_paths};

} // namespace

const connector_spec spec{"github",
                          "GitHub",
                          "Repositories, issues, pull requests, commits, branches, Actions and "
                          "releases on GitHub or GitHub Enterprise Server.",
                          tools,
                          {},
                          {},
                          {},
                          nullptr,
                          configuration,
                          &api};

} // namespace sagemcp::connectors::github
