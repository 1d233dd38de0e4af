#include "connectors/bitbucket/bitbucket.hpp"

#include "connectors/http_tool.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <string>

namespace sagemcp::connectors::bitbucket {

namespace {

namespace json = boost::json;

// Schema pieces shared by many tools.
#define SAGEMCP_BITBUCKET_REPO_PROPS                                                                                                                           \
  R"("workspace":{"type":"string","minLength":1,"description":"Workspace ID (slug) that owns the repository, as in bitbucket.org/<workspace>/<repo_slug>."},)" \
  R"("repo_slug":{"type":"string","minLength":1,"description":"Repository slug, the repository's name in its URL."})"
#define SAGEMCP_BITBUCKET_LIMIT_PROP                                                               \
  R"("limit":{"type":"integer","minimum":1,"maximum":100,"description":"Most items to return (default 30)."})"
#define SAGEMCP_BITBUCKET_PR_ID_PROP                                                               \
  R"("pull_request_id":{"type":"integer","minimum":1,"description":"The pull request's number (its id in the repository)."})"
#define SAGEMCP_BITBUCKET_QUERY_PROP(example)                                                                \
  R"("q":{"type":"string","minLength":1,"description":"A Bitbucket query language filter, such as )" example \
  R"(."})"
#define SAGEMCP_BITBUCKET_SORT_PROP(example)                                                                                          \
  R"("sort":{"type":"string","minLength":1,"description":"Field to sort by, with a leading - for descending order, such as )" example \
  R"(."})"

constexpr std::string_view read_only = R"({"readOnlyHint":true,"openWorldHint":true})";
constexpr std::string_view creates
  = R"({"readOnlyHint":false,"destructiveHint":false,"idempotentHint":false,"openWorldHint":true})";

// {"type":"error","error":{"message":"…","detail":"…"}}
constexpr std::string_view error_paths[] = {"error.message", "error.detail", "message"};

// --- hooks -----------------------------------------------------------------------------------

const json::string* text_arg(const json::object& args, std::string_view name) {
  const auto* value = args.if_contains(name);
  return value != nullptr && value->is_string() ? &value->get_string() : nullptr;
}

// Bitbucket names an account by its UUID in braces or by its Atlassian account ID.
json::object account_ref(std::string_view id) {
  if (!id.empty() && id.front() == '{') {
    return json::object{{"uuid", id}};
  }
  return json::object{{"account_id", id}};
}

caf::error with_reviewers(const json::object& args, outbound_call& call) {
  const auto* reviewers = args.if_contains("reviewers");
  if (reviewers == nullptr || !reviewers->is_array()) {
    return {};
  }
  json::array list;
  for (const auto& reviewer : reviewers->get_array()) {
    if (reviewer.is_string()) {
      list.push_back(account_ref(reviewer.get_string()));
    }
  }
  call.body.as_object()["reviewers"] = std::move(list);
  return {};
}

caf::error with_assignee(const json::object& args, outbound_call& call) {
  if (const auto* assignee = text_arg(args, "assignee"); assignee != nullptr) {
    call.body.as_object()["assignee"] = account_ref(*assignee);
  }
  return {};
}

caf::error inline_comment(const json::object& args, outbound_call&) {
  const auto* line = args.if_contains("line");
  if (line != nullptr && !line->is_null() && text_arg(args, "path") == nullptr) {
    return invalid_argument("line", "needs 'path', the file the line belongs to");
  }
  return {};
}

// Issues have no state parameter: the state joins the BBQL query.
caf::error issue_filter(const json::object& args, outbound_call& call) {
  const auto* state = text_arg(args, "state");
  if (state == nullptr) {
    return {};
  }
  std::string clause = "state = \"" + std::string{*state} + "\"";
  for (auto& [name, value] : call.query) {
    if (name == "q") {
      std::string combined = "(";
      combined += value;
      combined += ") AND ";
      combined += clause;
      value = std::move(combined);
      return {};
    }
  }
  call.query.emplace_back("q", std::move(clause));
  return {};
}

// /commits, or /commits/{revision} for the history of a branch, tag or commit.
caf::error commits_of_revision(const json::object& args, outbound_call& call) {
  if (const auto* revision = text_arg(args, "revision"); revision != nullptr) {
    if (*revision == "." || *revision == "..") {
      return invalid_argument("revision", "must be a branch, tag or commit hash");
    }
    call.path += "/" + encode_segment(*revision);
  }
  return {};
}

// /src/{commit}/ lists the root directory; a path below it names a file or directory.
caf::error source_path(const json::object& args, outbound_call& call) {
  if (const auto* path = text_arg(args, "path"); path != nullptr) {
    std::string_view relative{*path};
    while (!relative.empty() && relative.front() == '/') {
      relative.remove_prefix(1);
    }
    if (has_dot_segment(relative)) {
      return invalid_argument("path", "must not contain '.' or '..' segments");
    }
    call.path += encode_segment(relative, true);
  }
  return {};
}

// Pipelines run for a branch or tag (`pipeline_ref_target`), optionally at one of its commits
// and optionally a custom pipeline of bitbucket-pipelines.yml.
caf::error pipeline_target(const json::object&, outbound_call& call) {
  auto& target = call.body.as_object()["target"];
  if (!target.is_object()) {
    target = json::object{};
  }
  auto& t = target.as_object();
  t["type"] = "pipeline_ref_target";
  if (!t.contains("ref_type")) {
    t["ref_type"] = "branch";
  }
  if (auto* commit = t.if_contains("commit"); commit != nullptr && commit->is_object()) {
    commit->as_object()["type"] = "commit";
  }
  if (auto* selector = t.if_contains("selector"); selector != nullptr && selector->is_object()) {
    selector->as_object()["type"] = "custom";
  }
  return {};
}

// A directory listing is a page of `commit_file` and `commit_directory` entries; a file comes
// back as its raw content.
bool is_listing(const json::value& body) {
  const auto* values = at_path(body, "values");
  if (values == nullptr || !values->is_array() || at_path(body, "pagelen") == nullptr) {
    return false;
  }
  return std::ranges::all_of(values->get_array(), [](const json::value& entry) {
    const auto* type = at_path(entry, "type");
    return type != nullptr && type->is_string() && type->get_string().starts_with("commit_");
  });
}

caf::expected<json::value> file_or_listing(const json::object& args,
                                           std::span<const upstream_reply> replies) {
  const auto& reply = replies.front();
  json::object out;
  out["commit"] = args.at("commit");
  const auto* path = text_arg(args, "path");
  out["path"] = path != nullptr ? *path : json::string{};
  if (is_listing(reply.body)) {
    json::array entries;
    for (const auto& entry : at_path(reply.body, "values")->get_array()) {
      json::object item;
      if (const auto* p = at_path(entry, "path")) {
        item["path"] = *p;
      }
      const auto& type = at_path(entry, "type")->get_string();
      item["type"] = type == "commit_directory" ? "directory"
                     : type == "commit_file"    ? "file"
                                                : std::string_view{type};
      if (const auto* size = at_path(entry, "size")) {
        item["size"] = *size;
      }
      entries.push_back(std::move(item));
    }
    const auto* next = at_path(reply.body, "next");
    bool more = next != nullptr && next->is_string() && !next->get_string().empty();
    out["type"] = "directory";
    out["entries"] = std::move(entries);
    out["has_more"] = more;
    if (more) {
      out["note"] = "The directory holds more entries than one page shows; list a subdirectory "
                    "to narrow it.";
    }
    return out;
  }
  // A file whose content is JSON arrives parsed; anything else as text.
  std::string text = reply.body.is_null() ? reply.text : json::serialize(reply.body);
  out["type"] = "file";
  out["size"] = text.size();
  put_file_text(out, std::move(text));
  return out;
}

constexpr std::string_view pipeline_fields
  = "uuid,build_number,state.name,state.result.name,state.stage.name,target.ref_type,"
    "target.ref_name,target.commit.hash,target.selector.type,target.selector.pattern,trigger.name,"
    "creator.display_name,created_on,completed_on,duration_in_seconds,build_seconds_used";

// A pipeline with its web page and, when fetched, its steps.
caf::expected<json::value> pipeline_result(const json::object& args,
                                           std::span<const upstream_reply> replies) {
  auto out = project(replies.front().body, pipeline_fields);
  auto* obj = out.if_object();
  if (obj == nullptr) {
    return out;
  }
  const auto* number = obj->if_contains("build_number");
  const auto* workspace = text_arg(args, "workspace");
  const auto* repo = text_arg(args, "repo_slug");
  if (number != nullptr && number->is_number() && workspace != nullptr && repo != nullptr) {
    (*obj)["url"] = "https://bitbucket.org/" + encode_segment(*workspace) + "/"
                    + encode_segment(*repo) + "/pipelines/results/"
                    + std::to_string(number->to_number<int64_t>());
  }
  if (replies.size() > 1) {
    json::array steps;
    if (const auto* values = at_path(replies[1].body, "values");
        values != nullptr && values->is_array()) {
      for (const auto& step : values->get_array()) {
        steps.push_back(project(step, "uuid,name,state.name,state.result.name,started_on,"
                                      "completed_on,duration_in_seconds"));
      }
    }
    (*obj)["steps"] = std::move(steps);
  }
  return out;
}

// --- tools -----------------------------------------------------------------------------------

// Bitbucket pages bodies as {"values":[…],"next":"<URL of the next page>","pagelen":N}.
constexpr pagination list{paging::next_url, "values", "next", "page", "pagelen", 100, 30};
// Pull requests, their comments and issues take at most 50 per page.
constexpr pagination short_list{paging::next_url, "values", "next", "page", "pagelen", 50, 30};

constexpr std::string_view repo_list_fields
  = "uuid,full_name,slug,name,description,is_private,language,mainbranch.name,project.key,"
    "updated_on,links.html.href";
constexpr std::string_view pr_list_fields
  = "id,title,state,draft,author.display_name,source.branch.name,destination.branch.name,"
    "comment_count,task_count,created_on,updated_on,links.html.href";
constexpr std::string_view pr_fields
  = "id,title,description,state,draft,author.display_name,source.branch.name,source.commit.hash,"
    "destination.branch.name,destination.commit.hash,merge_commit.hash,close_source_branch,"
    "reviewers[].display_name,participants[].user.display_name,participants[].role,"
    "participants[].approved,participants[].state,comment_count,task_count,reason,"
    "closed_by.display_name,created_on,updated_on,links.html.href";
constexpr std::string_view comment_fields
  = "id,content.raw,user.display_name,inline.path,inline.from,inline.to,parent.id,deleted,"
    "created_on,updated_on,links.html.href";
constexpr std::string_view issue_list_fields
  = "id,title,state,kind,priority,assignee.display_name,reporter.display_name,votes,created_on,"
    "updated_on,links.html.href";
constexpr std::string_view issue_fields
  = "id,title,content.raw,state,kind,priority,assignee.display_name,reporter.display_name,"
    "component.name,milestone.name,version.name,votes,watches,created_on,updated_on,edited_on,"
    "links.html.href";

constexpr http_tool list_repositories{.path = "/repositories/{workspace}",
                                      .pages = list,
                                      .keep = repo_list_fields};
constexpr http_tool get_repository{
  .path = "/repositories/{workspace}/{repo_slug}",
  .keep = "uuid,full_name,slug,name,description,is_private,fork_policy,language,size,has_issues,"
          "has_wiki,mainbranch.name,workspace.slug,project.key,project.name,parent.full_name,"
          "website,created_on,updated_on,links.html.href,links.clone[].name,links.clone[].href"};
constexpr http_tool list_pull_requests{.path = "/repositories/{workspace}/{repo_slug}/pullrequests",
                                       .pages = short_list,
                                       .keep = pr_list_fields};
constexpr http_tool get_pull_request{
  .path = "/repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}",
  .keep = pr_fields};
constexpr arg_binding create_pull_request_args[]
  = {{"source_branch", arg_in::body, "source.branch.name"},
     {"destination_branch", arg_in::body, "destination.branch.name"},
     {"reviewers", arg_in::none}};
constexpr http_tool create_pull_request{
  .method = http_method::post,
  .path = "/repositories/{workspace}/{repo_slug}/pullrequests",
  .args = create_pull_request_args,
  .keep = "id,title,state,draft,source.branch.name,destination.branch.name,"
          "reviewers[].display_name,close_source_branch,created_on,links.html.href",
  .prepare = with_reviewers};
constexpr http_tool list_pr_comments{
  .path = "/repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/comments",
  .pages = short_list,
  .keep = comment_fields};
constexpr arg_binding add_pr_comment_args[] = {{"content", arg_in::body, "content.raw"},
                                               {"path", arg_in::body, "inline.path"},
                                               {"line", arg_in::body, "inline.to"},
                                               {"parent_id", arg_in::body, "parent.id"}};
constexpr http_tool add_pr_comment{
  .method = http_method::post,
  .path = "/repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/comments",
  .args = add_pr_comment_args,
  .keep = comment_fields,
  .prepare = inline_comment};
constexpr arg_binding list_issues_args[] = {{"state", arg_in::none}};
constexpr http_tool list_issues{.path = "/repositories/{workspace}/{repo_slug}/issues",
                                .args = list_issues_args,
                                .pages = short_list,
                                .keep = issue_list_fields,
                                .prepare = issue_filter};
constexpr http_tool get_issue{.path = "/repositories/{workspace}/{repo_slug}/issues/{issue_id}",
                              .keep = issue_fields};
constexpr arg_binding create_issue_args[] = {{"content", arg_in::body, "content.raw"},
                                             {"assignee", arg_in::none},
                                             {"component", arg_in::body, "component.name"},
                                             {"milestone", arg_in::body, "milestone.name"},
                                             {"version", arg_in::body, "version.name"}};
constexpr http_tool create_issue{.method = http_method::post,
                                 .path = "/repositories/{workspace}/{repo_slug}/issues",
                                 .args = create_issue_args,
                                 .keep = issue_fields,
                                 .prepare = with_assignee};
constexpr arg_binding list_pipelines_args[] = {{"branch", arg_in::query, "target.branch"}};
constexpr http_tool list_pipelines{.path = "/repositories/{workspace}/{repo_slug}/pipelines/",
                                   .args = list_pipelines_args,
                                   .query = "sort=-created_on",
                                   .pages = list,
                                   .keep = pipeline_fields};
constexpr http_step pipeline_steps[]
  = {{http_method::get, "/repositories/{workspace}/{repo_slug}/pipelines/{pipeline_uuid}/steps/",
      "pagelen=100", true}};
constexpr http_tool get_pipeline{
  .path = "/repositories/{workspace}/{repo_slug}/pipelines/{pipeline_uuid}",
  .shape = pipeline_result,
  .also = pipeline_steps};
constexpr arg_binding trigger_pipeline_args[]
  = {{"ref_name", arg_in::body, "target.ref_name"},
     {"ref_type", arg_in::body, "target.ref_type"},
     {"commit", arg_in::body, "target.commit.hash"},
     {"custom_pipeline", arg_in::body, "target.selector.pattern"}};
constexpr http_tool trigger_pipeline{.method = http_method::post,
                                     .path = "/repositories/{workspace}/{repo_slug}/pipelines/",
                                     .args = trigger_pipeline_args,
                                     .prepare = pipeline_target,
                                     .shape = pipeline_result};
constexpr http_tool list_branches{
  .path = "/repositories/{workspace}/{repo_slug}/refs/branches",
  .pages = list,
  .keep = "name,target.hash,target.date,target.message,target.author.raw,links.html.href"};
constexpr arg_binding list_commits_args[] = {{"revision", arg_in::none}};
constexpr http_tool list_commits{
  .path = "/repositories/{workspace}/{repo_slug}/commits",
  .args = list_commits_args,
  .pages = list,
  .keep = "hash,date,message,author.raw,author.user.display_name,parents[].hash,links.html.href",
  .prepare = commits_of_revision};
constexpr arg_binding get_file_args[] = {{"path", arg_in::none}};
constexpr http_tool get_file{.path = "/repositories/{workspace}/{repo_slug}/src/{commit}/",
                             .args = get_file_args,
                             .query = "pagelen=100",
                             .prepare = source_path,
                             .shape = file_or_listing};
constexpr http_tool list_workspaces{
  .path = "/user/workspaces",
  .pages = list,
  .keep = "administrator,workspace.slug,workspace.name,workspace.uuid,workspace.links.html.href"};
constexpr http_tool list_workspace_members{
  .path = "/workspaces/{workspace}/members",
  .pages = list,
  .keep = "user.display_name,user.nickname,user.account_id,user.uuid"};
constexpr http_tool get_diff{.path = "/repositories/{workspace}/{repo_slug}/diff/{spec}",
                             .done_text = "The diff is empty: both sides have the same content."};

constexpr tool_spec tools[] = {
  rest_tool(
    "bitbucket_list_repositories", "List repositories",
    "List the repositories of a workspace that the credential can see, with visibility, language, "
    "main branch, project and web link; filter by your role or with a query.",
    R"({"type":"object","properties":{"workspace":{"type":"string","minLength":1,"description":"Workspace ID (slug); bitbucket_list_workspaces lists yours."},"role":{"type":"string","enum":["member","contributor","admin","owner"],"description":"Only repositories where you have at least this role: member (read), contributor (write), admin or owner."},)" SAGEMCP_BITBUCKET_QUERY_PROP(
      R"(name ~ \"api\" or project.key = \"CORE\")") R"(,)" SAGEMCP_BITBUCKET_SORT_PROP("-updated_"
                                                                                        "on or "
                                                                                        "name") R"(,)" SAGEMCP_BITBUCKET_LIMIT_PROP
                                                                                                R"(},"required":["workspace"],"additionalProperties":false})",
    read_only, list_repositories),
  rest_tool(
    "bitbucket_get_repository", "Get a repository",
    "Get a repository's details: description, visibility, language, size, main branch, project, "
    "fork parent and clone URLs.",
    R"({"type":"object","properties":{)" SAGEMCP_BITBUCKET_REPO_PROPS
    R"(},"required":["workspace","repo_slug"],"additionalProperties":false})",
    read_only, get_repository),
  rest_tool(
    "bitbucket_list_pull_requests", "List pull requests",
    "List pull requests of a repository (open ones unless `state` says otherwise), with author, "
    "branches, comment counts and links.",
    R"({"type":"object","properties":{)" SAGEMCP_BITBUCKET_REPO_PROPS
    R"(,"state":{"type":"string","enum":["OPEN","MERGED","DECLINED","SUPERSEDED"],"description":"Only pull requests in this state (default OPEN)."},)" SAGEMCP_BITBUCKET_QUERY_PROP(
      R"(author.nickname = \"jdoe\" or destination.branch.name = \"main\")") R"(,)" SAGEMCP_BITBUCKET_SORT_PROP("-upda"
                                                                                                                "ted_"
                                                                                                                "on") R"(,)" SAGEMCP_BITBUCKET_LIMIT_PROP
                                                                                                                      R"(},"required":["workspace","repo_slug"],"additionalProperties":false})",
    read_only, list_pull_requests),
  rest_tool(
    "bitbucket_get_pull_request", "Get a pull request",
    "Get one pull request with its description, branches and commits, reviewers, approvals, merge "
    "commit and state.",
    R"({"type":"object","properties":{)" SAGEMCP_BITBUCKET_REPO_PROPS
    R"(,)" SAGEMCP_BITBUCKET_PR_ID_PROP
    R"(},"required":["workspace","repo_slug","pull_request_id"],"additionalProperties":false})",
    read_only, get_pull_request),
  rest_tool(
    "bitbucket_create_pull_request", "Create a pull request",
    "Open a pull request from a branch of the repository into another branch (the main branch "
    "by default).",
    R"({"type":"object","properties":{)" SAGEMCP_BITBUCKET_REPO_PROPS
    R"(,"title":{"type":"string","minLength":1,"description":"The pull request's title."},"source_branch":{"type":"string","minLength":1,"description":"Branch with the changes."},"destination_branch":{"type":"string","minLength":1,"description":"Branch to merge into; the repository's main branch when omitted."},"description":{"type":"string","description":"Markdown text."},"close_source_branch":{"type":"boolean","description":"Delete the source branch once the pull request is merged."},"draft":{"type":"boolean","description":"Open it as a draft."},"reviewers":{"type":"array","items":{"type":"string","minLength":1},"description":"Reviewers by Atlassian account ID or by UUID in braces, as bitbucket_list_workspace_members shows them."}},"required":["workspace","repo_slug","title","source_branch"],"additionalProperties":false})",
    creates, create_pull_request),
  rest_tool(
    "bitbucket_list_pr_comments", "List pull request comments",
    "List the comments of a pull request, oldest first, including inline comments on files (path "
    "and line) and replies (parent id).",
    R"({"type":"object","properties":{)" SAGEMCP_BITBUCKET_REPO_PROPS
    R"(,)" SAGEMCP_BITBUCKET_PR_ID_PROP R"(,)" SAGEMCP_BITBUCKET_LIMIT_PROP
    R"(},"required":["workspace","repo_slug","pull_request_id"],"additionalProperties":false})",
    read_only, list_pr_comments),
  rest_tool(
    "bitbucket_add_pr_comment", "Comment on a pull request",
    "Add a comment to a pull request: a general comment, an inline comment on a file (and line) "
    "of the diff, or a reply to another comment.",
    R"({"type":"object","properties":{)" SAGEMCP_BITBUCKET_REPO_PROPS
    R"(,)" SAGEMCP_BITBUCKET_PR_ID_PROP
    R"(,"content":{"type":"string","minLength":1,"description":"The comment, in Markdown."},"path":{"type":"string","minLength":1,"description":"File of the diff to comment on, for an inline comment."},"line":{"type":"integer","minimum":1,"description":"Line in the new version of the file; needs path."},"parent_id":{"type":"integer","minimum":1,"description":"Id of the comment this one replies to."}},"required":["workspace","repo_slug","pull_request_id","content"],"additionalProperties":false})",
    creates, add_pr_comment),
  rest_tool(
    "bitbucket_list_issues", "List issues",
    "List issues of a repository's built-in issue tracker with their state, kind, priority, "
    "assignee and votes.",
    R"({"type":"object","properties":{)" SAGEMCP_BITBUCKET_REPO_PROPS
    R"(,"state":{"type":"string","enum":["new","open","resolved","on hold","invalid","duplicate","wontfix","closed"],"description":"Only issues in this state; all states when omitted."},)" SAGEMCP_BITBUCKET_QUERY_PROP(
      R"(kind = \"bug\" AND priority = \"critical\")") R"(,)" SAGEMCP_BITBUCKET_SORT_PROP("-updated"
                                                                                          "_"
                                                                                          "on or "
                                                                                          "priorit"
                                                                                          "y") R"(,)" SAGEMCP_BITBUCKET_LIMIT_PROP
                                                                                               R"(},"required":["workspace","repo_slug"],"additionalProperties":false})",
    read_only, list_issues),
  rest_tool(
    "bitbucket_get_issue", "Get an issue",
    "Get one issue of a repository's issue tracker with its text, state, kind, priority, "
    "assignee, component, milestone and version.",
    R"({"type":"object","properties":{)" SAGEMCP_BITBUCKET_REPO_PROPS
    R"(,"issue_id":{"type":"integer","minimum":1,"description":"The issue's number in the repository."}},"required":["workspace","repo_slug","issue_id"],"additionalProperties":false})",
    read_only, get_issue),
  rest_tool(
    "bitbucket_create_issue", "Create an issue",
    "Open an issue in a repository's built-in issue tracker.",
    R"({"type":"object","properties":{)" SAGEMCP_BITBUCKET_REPO_PROPS
    R"(,"title":{"type":"string","minLength":1,"description":"The issue's title."},"content":{"type":"string","description":"The issue's text, in Markdown."},"kind":{"type":"string","enum":["bug","enhancement","proposal","task"],"description":"Default bug."},"priority":{"type":"string","enum":["trivial","minor","major","critical","blocker"],"description":"Default major."},"assignee":{"type":"string","minLength":1,"description":"Assignee by Atlassian account ID or by UUID in braces."},"component":{"type":"string","minLength":1,"description":"Name of a component the tracker defines."},"milestone":{"type":"string","minLength":1,"description":"Name of a milestone the tracker defines."},"version":{"type":"string","minLength":1,"description":"Name of a version the tracker defines."}},"required":["workspace","repo_slug","title"],"additionalProperties":false})",
    creates, create_issue),
  rest_tool(
    "bitbucket_list_pipelines", "List pipelines",
    "List Bitbucket Pipelines runs of a repository, newest first, with state, result, branch, "
    "commit, trigger and duration.",
    R"({"type":"object","properties":{)" SAGEMCP_BITBUCKET_REPO_PROPS
    R"(,"branch":{"type":"string","minLength":1,"description":"Only runs for this branch."},)" SAGEMCP_BITBUCKET_LIMIT_PROP
    R"(},"required":["workspace","repo_slug"],"additionalProperties":false})",
    read_only, list_pipelines),
  rest_tool(
    "bitbucket_get_pipeline", "Get a pipeline",
    "Get one Bitbucket Pipelines run with its state, result, target, timing, web page and the "
    "state of each of its steps.",
    R"({"type":"object","properties":{)" SAGEMCP_BITBUCKET_REPO_PROPS
    R"(,"pipeline_uuid":{"type":"string","pattern":"^\\{[0-9A-Fa-f-]+\\}$","description":"The run's UUID in braces, as bitbucket_list_pipelines shows it."}},"required":["workspace","repo_slug","pipeline_uuid"],"additionalProperties":false})",
    read_only, get_pipeline),
  rest_tool(
    "bitbucket_trigger_pipeline", "Run a pipeline",
    "Start a Bitbucket Pipelines run for a branch or tag, at its latest commit or a given one, "
    "optionally a custom pipeline with variables.",
    R"({"type":"object","properties":{)" SAGEMCP_BITBUCKET_REPO_PROPS
    R"(,"ref_name":{"type":"string","minLength":1,"description":"Branch or tag to run for; it selects the pipeline definition of bitbucket-pipelines.yml."},"ref_type":{"type":"string","enum":["branch","tag"],"description":"What ref_name names (default branch)."},"commit":{"type":"string","minLength":7,"description":"Commit hash to run at; the ref's latest commit when omitted."},"custom_pipeline":{"type":"string","minLength":1,"description":"Name of a pipeline under `custom:` in bitbucket-pipelines.yml to run instead of the ref's default."},"variables":{"type":"array","items":{"type":"object","properties":{"key":{"type":"string","minLength":1,"description":"Variable name."},"value":{"type":"string","description":"Variable value."},"secured":{"type":"boolean","description":"Hide the value in logs and the UI."}},"required":["key","value"],"additionalProperties":false},"description":"Variables for the run (custom pipelines declare which they take)."}},"required":["workspace","repo_slug","ref_name"],"additionalProperties":false})",
    creates, trigger_pipeline),
  rest_tool(
    "bitbucket_list_branches", "List branches",
    "List the branches of a repository with the hash, date, author and message of their latest "
    "commit.",
    R"({"type":"object","properties":{)" SAGEMCP_BITBUCKET_REPO_PROPS
    R"(,)" SAGEMCP_BITBUCKET_QUERY_PROP(R"(name ~ \"feature/\")") R"(,)" SAGEMCP_BITBUCKET_SORT_PROP(
      "-target.date") R"(,)" SAGEMCP_BITBUCKET_LIMIT_PROP
                      R"(},"required":["workspace","repo_slug"],"additionalProperties":false})",
    read_only, list_branches),
  rest_tool(
    "bitbucket_list_commits", "List commits",
    "List commits newest first: of every branch, or the history of one branch, tag or commit, "
    "optionally only those touching a path.",
    R"({"type":"object","properties":{)" SAGEMCP_BITBUCKET_REPO_PROPS
    R"(,"revision":{"type":"string","minLength":1,"description":"Branch, tag or commit hash whose history to list; every branch when omitted."},"path":{"type":"string","minLength":1,"description":"Only commits that touch this file or directory."},"exclude":{"type":"string","minLength":1,"description":"Leave out commits reachable from this branch or commit, such as main to see a feature branch's own commits."},)" SAGEMCP_BITBUCKET_LIMIT_PROP
    R"(},"required":["workspace","repo_slug"],"additionalProperties":false})",
    read_only, list_commits),
  rest_tool(
    "bitbucket_get_file", "Get a file",
    "Read a file of a repository at a commit, branch or tag as text (up to 48 KiB), or list a "
    "directory.",
    R"({"type":"object","properties":{)" SAGEMCP_BITBUCKET_REPO_PROPS
    R"(,"commit":{"type":"string","minLength":1,"description":"Commit hash, branch or tag to read from; bitbucket_get_repository shows the main branch. Prefer a hash for branch names that contain a slash."},"path":{"type":"string","description":"File or directory below the repository root, such as src/main.c; the root directory when omitted."}},"required":["workspace","repo_slug","commit"],"additionalProperties":false})",
    read_only, get_file),
  rest_tool(
    "bitbucket_list_workspaces", "List workspaces",
    "List the workspaces the authenticated user belongs to, with their slugs and whether the "
    "user administers them.",
    R"({"type":"object","properties":{)" SAGEMCP_BITBUCKET_QUERY_PROP(
      R"(workspace.slug = \"acme\")") R"(,)" SAGEMCP_BITBUCKET_SORT_PROP("workspace.slug") R"(,)" SAGEMCP_BITBUCKET_LIMIT_PROP
                                                                                           R"(},"additionalProperties":false})",
    read_only, list_workspaces),
  rest_tool(
    "bitbucket_list_workspace_members", "List workspace members",
    "List the members of a workspace with their display names, nicknames, account IDs and UUIDs "
    "(for reviewers and assignees).",
    R"({"type":"object","properties":{"workspace":{"type":"string","minLength":1,"description":"Workspace ID (slug)."},)" SAGEMCP_BITBUCKET_LIMIT_PROP
    R"(},"required":["workspace"],"additionalProperties":false})",
    read_only, list_workspace_members),
  rest_tool(
    "bitbucket_get_diff", "Get a diff",
    "Get a git-style unified diff: of one commit against its parent, or of two revisions written "
    "source..destination, as a pull request of source into destination would show it.",
    R"({"type":"object","properties":{)" SAGEMCP_BITBUCKET_REPO_PROPS
    R"(,"spec":{"type":"string","minLength":1,"description":"A commit hash, or source..destination with branch names, tags or hashes, such as feature-x..main."},"path":{"type":"string","minLength":1,"description":"Only the changes of this file."},"context":{"type":"integer","minimum":0,"maximum":100,"description":"Lines of context around each change (default 3)."},"ignore_whitespace":{"type":"boolean","description":"Ignore changes in whitespace."},"topic":{"type":"boolean","description":"For a range: true (default) compares source with its merge base with destination, as a pull request does; false compares the two directly."}},"required":["workspace","repo_slug","spec"],"additionalProperties":false})",
    read_only, get_diff),
};

#undef SAGEMCP_BITBUCKET_REPO_PROPS
#undef SAGEMCP_BITBUCKET_LIMIT_PROP
#undef SAGEMCP_BITBUCKET_PR_ID_PROP
#undef SAGEMCP_BITBUCKET_QUERY_PROP
#undef SAGEMCP_BITBUCKET_SORT_PROP

constexpr config_field configuration[] = {
  {"token", "Access token",
   "A repository, project or workspace access token, sent as a Bearer token.", true, false},
  credential_mode_config,
};

constexpr http_api api{.service = "Bitbucket",
                       .base_url = "https://api.bitbucket.org/2.0",
                       .base_url_field = {},
                       .oauth_provider = "bitbucket",
                       .token_field = "token",
                       .token_style = auth_style::bearer,
                       .error_paths = error_paths};

} // namespace

const connector_spec spec{"bitbucket",
                          "Bitbucket",
                          "Repositories, pull requests and their comments, issues, branches, "
                          "commits, files, diffs and Pipelines on Bitbucket Cloud.",
                          tools,
                          {},
                          {},
                          {},
                          nullptr,
                          configuration,
                          &api};

} // namespace sagemcp::connectors::bitbucket
