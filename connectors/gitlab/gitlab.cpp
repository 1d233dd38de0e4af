#include "connectors/gitlab/gitlab.hpp"

#include "connectors/http_tool.hpp"

#include <boost/json/array.hpp>

#include <string>

namespace sagemcp::connectors::gitlab {

namespace {

namespace json = boost::json;

// Schema pieces shared by many tools.
#define SAGEMCP_GITLAB_PROJECT_PROP                                                                \
  R"("project":{"type":["integer","string"],"minimum":1,"minLength":1,"description":"The project: its numeric id, or its full path such as group/subgroup/project (the connector URL-encodes it)."})"
#define SAGEMCP_GITLAB_LIMIT_PROP                                                                  \
  R"("limit":{"type":"integer","minimum":1,"maximum":100,"description":"Most items to return (default 30)."})"
#define SAGEMCP_GITLAB_SORT_PROP                                                                   \
  R"("sort":{"type":"string","enum":["asc","desc"],"description":"Sort direction (default desc)."})"
#define SAGEMCP_GITLAB_LABELS_PROP(what)                                                           \
  R"("labels":{"type":"array","items":{"type":"string","minLength":1},"description":")" what R"("})"
#define SAGEMCP_GITLAB_MR_IID_PROP                                                                 \
  R"("merge_request_iid":{"type":"integer","minimum":1,"description":"The merge request's number inside the project (the !N of its web URL, `iid`), not its global id."})"
#define SAGEMCP_GITLAB_ISSUE_IID_PROP                                                              \
  R"("issue_iid":{"type":"integer","minimum":1,"description":"The issue's number inside the project (the #N of its web URL, `iid`), not its global id."})"
#define SAGEMCP_GITLAB_PIPELINE_ID_PROP                                                            \
  R"("pipeline_id":{"type":"integer","minimum":1,"description":"The pipeline's id (`id`, as in its web URL), not its per-project `iid`."})"
#define SAGEMCP_GITLAB_DATE_PROP(name, what)                                                       \
  R"(")" name                                                                                      \
  R"(":{"type":"string","pattern":"^[0-9]{4}-[0-9]{2}-[0-9]{2}$","description":")" what R"("})"

constexpr std::string_view read_only = R"({"readOnlyHint":true,"openWorldHint":true})";
constexpr std::string_view creates
  = R"({"readOnlyHint":false,"destructiveHint":false,"idempotentHint":false,"openWorldHint":true})";
constexpr std::string_view updates
  = R"({"readOnlyHint":false,"destructiveHint":false,"idempotentHint":true,"openWorldHint":true})";

constexpr std::string_view error_paths[] = {"message", "error", "error_description"};

// --- hooks -----------------------------------------------------------------------------------

// GET /projects lists every project the caller can see (on gitlab.com, every public one) unless
// `membership` narrows it; the connector narrows it unless told otherwise.
caf::error member_projects(const json::object& args, outbound_call& call) {
  bool membership = true;
  if (const auto* given = args.if_contains("membership"); given != nullptr && given->is_bool()) {
    membership = given->get_bool();
  }
  call.query.emplace_back("membership", membership ? "true" : "false");
  return {};
}

// GitLab takes label names in request bodies as one comma-separated string.
caf::error labels_as_text(const json::object&, outbound_call& call) {
  auto* body = call.body.if_object();
  if (body == nullptr) {
    return {};
  }
  for (std::string_view name : {"labels", "add_labels", "remove_labels"}) {
    auto* labels = body->if_contains(name);
    if (labels == nullptr || !labels->is_array()) {
      continue;
    }
    std::string text;
    for (const auto& label : labels->get_array()) {
      if (!label.is_string()) {
        continue;
      }
      if (!text.empty()) {
        text += ',';
      }
      text += label.get_string();
    }
    *labels = json::string{text};
  }
  return {};
}

// GitLab requires a ref for a file; HEAD is the default branch.
caf::error file_at_ref(const json::object& args, outbound_call& call) {
  if (const auto* ref = args.if_contains("ref"); ref == nullptr || ref->is_null()) {
    call.query.emplace_back("ref", "HEAD");
  }
  return {};
}

caf::expected<json::value> file_content(const json::object&,
                                        std::span<const upstream_reply> replies) {
  const auto& body = replies.front().body;
  auto out = project(body, "file_name,file_path,size,ref,blob_id,last_commit_id");
  auto& obj = out.as_object();
  const auto* content = at_path(body, "content");
  if (content == nullptr || !content->is_string()) {
    return out;
  }
  const auto* encoding = at_path(body, "encoding");
  bool base64 = encoding != nullptr && encoding->is_string() && encoding->get_string() == "base64";
  put_file_text(obj,
                base64 ? decode_base64(content->get_string()) : std::string{content->get_string()});
  return out;
}

// --- tools -----------------------------------------------------------------------------------

// GitLab pages by number and says in x-next-page whether another page follows.
constexpr pagination list{paging::page_number, "", "", "page", "per_page", 100, 30};

constexpr std::string_view project_list_fields
  = "id,name,path_with_namespace,description,visibility,default_branch,archived,star_count,"
    "forks_count,open_issues_count,last_activity_at,web_url";
constexpr std::string_view mr_list_fields
  = "id,iid,title,state,draft,author.username,assignees[].username,reviewers[].username,"
    "source_branch,target_branch,labels,milestone.title,detailed_merge_status,user_notes_count,"
    "created_at,updated_at,merged_at,closed_at,web_url";
constexpr std::string_view issue_list_fields
  = "id,iid,title,state,author.username,assignees[].username,labels,milestone.title,confidential,"
    "user_notes_count,due_date,created_at,updated_at,closed_at,web_url";
constexpr std::string_view issue_written
  = "id,iid,title,state,labels,assignees[].username,milestone.title,due_date,confidential,"
    "created_at,updated_at,closed_at,web_url";
constexpr std::string_view pipeline_list_fields
  = "id,iid,status,source,ref,sha,created_at,updated_at,web_url";

constexpr arg_binding membership_hook[] = {{"membership", arg_in::none}};
constexpr http_tool list_projects{.path = "/projects",
                                  .args = membership_hook,
                                  .pages = list,
                                  .keep = project_list_fields,
                                  .prepare = member_projects};
constexpr http_tool get_project{
  .path = "/projects/{project}",
  .keep = "id,name,path_with_namespace,description,visibility,default_branch,archived,topics,"
          "star_count,forks_count,open_issues_count,namespace.kind,namespace.full_path,"
          "forked_from_project.path_with_namespace,permissions.project_access.access_level,"
          "permissions.group_access.access_level,created_at,last_activity_at,http_url_to_repo,"
          "ssh_url_to_repo,web_url"};
constexpr http_tool list_merge_requests{.path = "/projects/{project}/merge_requests",
                                        .pages = list,
                                        .keep = mr_list_fields};
constexpr http_tool get_merge_request{
  .path = "/projects/{project}/merge_requests/{merge_request_iid}",
  .keep = "id,iid,title,description,state,draft,author.username,assignees[].username,"
          "reviewers[].username,source_branch,target_branch,sha,merge_commit_sha,"
          "squash_commit_sha,labels,milestone.title,detailed_merge_status,has_conflicts,"
          "blocking_discussions_resolved,changes_count,user_notes_count,head_pipeline.id,"
          "head_pipeline.status,merge_user.username,created_at,updated_at,merged_at,closed_at,"
          "web_url"};
constexpr http_tool create_merge_request{
  .method = http_method::post,
  .path = "/projects/{project}/merge_requests",
  .keep = "id,iid,title,state,draft,source_branch,target_branch,author.username,"
          "assignees[].username,reviewers[].username,labels,milestone.title,"
          "detailed_merge_status,created_at,web_url",
  .prepare = labels_as_text};
constexpr http_tool list_issues{.path = "/projects/{project}/issues",
                                .pages = list,
                                .keep = issue_list_fields};
constexpr http_tool get_issue{
  .path = "/projects/{project}/issues/{issue_iid}",
  .keep = "id,iid,title,description,state,author.username,assignees[].username,labels,"
          "milestone.title,confidential,discussion_locked,due_date,user_notes_count,"
          "merge_requests_count,upvotes,downvotes,closed_by.username,created_at,updated_at,"
          "closed_at,web_url"};
constexpr http_tool create_issue{.method = http_method::post,
                                 .path = "/projects/{project}/issues",
                                 .keep = issue_written,
                                 .prepare = labels_as_text};
constexpr http_tool update_issue{.method = http_method::put,
                                 .path = "/projects/{project}/issues/{issue_iid}",
                                 .keep = issue_written,
                                 .prepare = labels_as_text};
constexpr http_tool list_pipelines{.path = "/projects/{project}/pipelines",
                                   .pages = list,
                                   .keep = pipeline_list_fields};
constexpr http_tool get_pipeline{
  .path = "/projects/{project}/pipelines/{pipeline_id}",
  .keep = "id,iid,status,source,ref,sha,before_sha,tag,yaml_errors,user.username,created_at,"
          "updated_at,started_at,finished_at,duration,queued_duration,coverage,web_url"};
constexpr http_tool list_branches{
  .path = "/projects/{project}/repository/branches",
  .pages = list,
  .keep = "name,default,protected,merged,can_push,commit.id,commit.short_id,commit.title,"
          "commit.author_name,commit.committed_date,web_url"};
constexpr http_tool get_file{.path = "/projects/{project}/repository/files/{file_path}",
                             .prepare = file_at_ref,
                             .shape = file_content};
constexpr http_tool list_commits{
  .path = "/projects/{project}/repository/commits",
  .pages = list,
  .keep = "id,short_id,title,author_name,authored_date,committed_date,web_url"};
constexpr http_tool list_project_members{
  .path = "/projects/{project}/members/all",
  .pages = list,
  .keep = "id,username,name,state,access_level,expires_at,web_url"};
constexpr std::string_view group_fields
  = "id,name,full_path,description,visibility,parent_id,web_url";
constexpr http_tool list_groups{.path = "/groups", .pages = list, .keep = group_fields};
constexpr http_tool list_mr_discussions{
  .path = "/projects/{project}/merge_requests/{merge_request_iid}/discussions",
  .pages = list,
  .keep = "id,individual_note,notes[].id,notes[].type,notes[].body,notes[].author.username,"
          "notes[].created_at,notes[].system,notes[].resolvable,notes[].resolved,"
          "notes[].position.new_path,notes[].position.new_line,notes[].position.old_path,"
          "notes[].position.old_line"};
constexpr http_tool add_mr_note{
  .method = http_method::post,
  .path = "/projects/{project}/merge_requests/{merge_request_iid}/notes",
  .keep = "id,body,author.username,created_at,noteable_type,noteable_iid"};
constexpr http_tool list_milestones{
  .path = "/projects/{project}/milestones",
  .pages = list,
  .keep = "id,iid,title,description,state,start_date,due_date,expired,web_url"};
constexpr http_tool list_labels{
  .path = "/projects/{project}/labels",
  .pages = list,
  .keep = "id,name,color,description,priority,is_project_label,open_issues_count,"
          "closed_issues_count,open_merge_requests_count"};
constexpr http_tool get_repository_tree{.path = "/projects/{project}/repository/tree",
                                        .pages = list,
                                        .keep = "id,name,type,path,mode"};
constexpr http_tool search_users{.path = "/users",
                                 .pages = list,
                                 .keep = "id,username,name,state,web_url"};
constexpr http_tool retry_pipeline{.method = http_method::post,
                                   .path = "/projects/{project}/pipelines/{pipeline_id}/retry",
                                   .keep = pipeline_list_fields};

constexpr tool_spec tools[] = {
  rest_tool(
    "gitlab_list_projects", "List projects",
    "List GitLab projects you are a member of (set `membership` false for every project you can "
    "see), with visibility, default branch, counts and last activity.",
    R"({"type":"object","properties":{"membership":{"type":"boolean","description":"Only projects you are a member of (default true); false lists every project you can see, which on gitlab.com includes all public projects."},"owned":{"type":"boolean","description":"Only projects you own."},"starred":{"type":"boolean","description":"Only projects you starred."},"search":{"type":"string","minLength":1,"description":"Text to match in the project's name or path."},"visibility":{"type":"string","enum":["public","internal","private"]},"archived":{"type":"boolean","description":"Only archived (true) or only unarchived (false) projects."},"order_by":{"type":"string","enum":["id","name","path","created_at","updated_at","last_activity_at","star_count","similarity"],"description":"Default created_at; similarity only with search."},)" SAGEMCP_GITLAB_SORT_PROP
    R"(,)" SAGEMCP_GITLAB_LIMIT_PROP R"(},"additionalProperties":false})",
    read_only, list_projects),
  rest_tool(
    "gitlab_get_project", "Get a project",
    "Get a project's details: description, visibility, default branch, topics, counts, namespace, "
    "your access level (10 guest to 50 owner) and clone URLs.",
    R"({"type":"object","properties":{)" SAGEMCP_GITLAB_PROJECT_PROP
    R"(},"required":["project"],"additionalProperties":false})",
    read_only, get_project),
  rest_tool(
    "gitlab_list_merge_requests", "List merge requests",
    "List merge requests of a project, newest first, filtered by state, branch, labels, author or "
    "reviewer.",
    R"({"type":"object","properties":{)" SAGEMCP_GITLAB_PROJECT_PROP
    R"(,"state":{"type":"string","enum":["opened","closed","locked","merged","all"],"description":"Default all."},"scope":{"type":"string","enum":["created_by_me","assigned_to_me","all"]},"source_branch":{"type":"string","minLength":1},"target_branch":{"type":"string","minLength":1},)" SAGEMCP_GITLAB_LABELS_PROP(
      "Only merge requests with all these labels; None or Any match none or any label.") R"(,"milestone":{"type":"string","minLength":1,"description":"Milestone title; None or Any."},"author_username":{"type":"string","minLength":1},"reviewer_username":{"type":"string","minLength":1},"search":{"type":"string","minLength":1,"description":"Text to match in the title or description."},"created_after":{"type":"string","description":"ISO 8601 time."},"updated_after":{"type":"string","description":"ISO 8601 time."},"order_by":{"type":"string","enum":["created_at","updated_at","title"]},)" SAGEMCP_GITLAB_SORT_PROP
                                                                                         R"(,)" SAGEMCP_GITLAB_LIMIT_PROP
                                                                                         R"(},"required":["project"],"additionalProperties":false})",
    read_only, list_merge_requests),
  rest_tool(
    "gitlab_get_merge_request", "Get a merge request",
    "Get one merge request with its description, branches, reviewers, merge status, conflicts, "
    "head pipeline and commit SHAs.",
    R"({"type":"object","properties":{)" SAGEMCP_GITLAB_PROJECT_PROP
    R"(,)" SAGEMCP_GITLAB_MR_IID_PROP
    R"(},"required":["project","merge_request_iid"],"additionalProperties":false})",
    read_only, get_merge_request),
  rest_tool(
    "gitlab_create_merge_request", "Create a merge request",
    "Open a merge request from a source branch into a target branch. Start the title with "
    "\"Draft:\" to open it as a draft.",
    R"({"type":"object","properties":{)" SAGEMCP_GITLAB_PROJECT_PROP
    R"(,"source_branch":{"type":"string","minLength":1,"description":"Branch with the changes."},"target_branch":{"type":"string","minLength":1,"description":"Branch to merge into, usually the default branch."},"title":{"type":"string","minLength":1},"description":{"type":"string","description":"Markdown text."},"assignee_ids":{"type":"array","items":{"type":"integer","minimum":1},"description":"User ids to assign (see gitlab_search_users)."},"reviewer_ids":{"type":"array","items":{"type":"integer","minimum":1},"description":"User ids to ask for review."},)" SAGEMCP_GITLAB_LABELS_PROP(
      "Label names to set.") R"(,"milestone_id":{"type":"integer","minimum":1,"description":"Global id of a milestone (see gitlab_list_milestones)."},"remove_source_branch":{"type":"boolean","description":"Delete the source branch once merged."},"squash":{"type":"boolean","description":"Squash the commits when merging."},"target_project_id":{"type":"integer","minimum":1,"description":"Numeric id of the project to merge into, for a merge request from a fork."},"allow_collaboration":{"type":"boolean","description":"Let members who can merge into the target push to the source branch of a fork."}},"required":["project","source_branch","target_branch","title"],"additionalProperties":false})",
    creates, create_merge_request),
  rest_tool(
    "gitlab_list_issues", "List issues",
    "List issues of a project, newest first, filtered by state, labels, milestone, assignee, "
    "author or text.",
    R"({"type":"object","properties":{)" SAGEMCP_GITLAB_PROJECT_PROP
    R"(,"state":{"type":"string","enum":["opened","closed","all"],"description":"Default all."},)" SAGEMCP_GITLAB_LABELS_PROP(
      "Only issues with all these labels; None or Any match none or any label.") R"(,"milestone":{"type":"string","minLength":1,"description":"Milestone title; None, Any, Upcoming or Started."},"assignee_username":{"type":"string","minLength":1},"author_username":{"type":"string","minLength":1},"search":{"type":"string","minLength":1,"description":"Text to match in the title or description."},"confidential":{"type":"boolean"},"issue_type":{"type":"string","enum":["issue","incident","test_case","task"]},"created_after":{"type":"string","description":"ISO 8601 time."},"updated_after":{"type":"string","description":"ISO 8601 time."},"order_by":{"type":"string","enum":["created_at","updated_at","priority","due_date","label_priority","milestone_due","popularity","title"]},)" SAGEMCP_GITLAB_SORT_PROP
                                                                                 R"(,)" SAGEMCP_GITLAB_LIMIT_PROP
                                                                                 R"(},"required":["project"],"additionalProperties":false})",
    read_only, list_issues),
  rest_tool(
    "gitlab_get_issue", "Get an issue",
    "Get one issue with its description, labels, assignees, milestone, due date and who closed "
    "it.",
    R"({"type":"object","properties":{)" SAGEMCP_GITLAB_PROJECT_PROP
    R"(,)" SAGEMCP_GITLAB_ISSUE_IID_PROP
    R"(},"required":["project","issue_iid"],"additionalProperties":false})",
    read_only, get_issue),
  rest_tool(
    "gitlab_create_issue", "Create an issue", "Open a new issue in a project.",
    R"({"type":"object","properties":{)" SAGEMCP_GITLAB_PROJECT_PROP
    R"(,"title":{"type":"string","minLength":1},"description":{"type":"string","description":"Markdown text."},)" SAGEMCP_GITLAB_LABELS_PROP("Label names to set; missing labels are created.") R"(,"assignee_ids":{"type":"array","items":{"type":"integer","minimum":1},"description":"User ids to assign (see gitlab_search_users)."},"milestone_id":{"type":"integer","minimum":1,"description":"Global id of a milestone (see gitlab_list_milestones)."},)" SAGEMCP_GITLAB_DATE_PROP(
      "due_date",
      "YYYY-MM-DD.") R"(,"confidential":{"type":"boolean"},"issue_type":{"type":"string","enum":["issue","incident","test_case","task"],"description":"Default issue."}},"required":["project","title"],"additionalProperties":false})",
    creates, create_issue),
  rest_tool(
    "gitlab_update_issue", "Update an issue",
    "Change an issue's title, description, labels, assignees, milestone or due date, or close or "
    "reopen it; fields left out stay as they are.",
    R"({"type":"object","properties":{)" SAGEMCP_GITLAB_PROJECT_PROP
    R"(,)" SAGEMCP_GITLAB_ISSUE_IID_PROP
    R"(,"title":{"type":"string","minLength":1},"description":{"type":"string"},"state_event":{"type":"string","enum":["close","reopen"]},)" SAGEMCP_GITLAB_LABELS_PROP("Replaces every label; an empty list removes them all.") R"(,"add_labels":{"type":"array","items":{"type":"string","minLength":1},"description":"Labels to add, keeping the others."},"remove_labels":{"type":"array","items":{"type":"string","minLength":1},"description":"Labels to remove, keeping the others."},"assignee_ids":{"type":"array","items":{"type":"integer","minimum":1},"description":"Replaces every assignee; an empty list unassigns all."},"milestone_id":{"type":"integer","minimum":0,"description":"Global id of a milestone; 0 removes the milestone."},)" SAGEMCP_GITLAB_DATE_PROP(
      "due_date",
      "YYYY-MM-DD.") R"(,"confidential":{"type":"boolean"},"discussion_locked":{"type":"boolean","description":"Only members can comment when true."}},"required":["project","issue_iid"],"additionalProperties":false})",
    updates, update_issue),
  rest_tool(
    "gitlab_list_pipelines", "List pipelines",
    "List CI/CD pipelines of a project, newest first, filtered by status, ref, commit, source or "
    "user.",
    R"({"type":"object","properties":{)" SAGEMCP_GITLAB_PROJECT_PROP
    R"(,"status":{"type":"string","enum":["created","waiting_for_resource","preparing","pending","running","success","failed","canceled","skipped","manual","scheduled"]},"scope":{"type":"string","enum":["running","pending","finished","branches","tags"]},"ref":{"type":"string","minLength":1,"description":"Branch or tag."},"sha":{"type":"string","minLength":1,"description":"Commit SHA."},"source":{"type":"string","description":"push, web, trigger, schedule, api, merge_request_event, parent_pipeline, …"},"username":{"type":"string","minLength":1,"description":"Who triggered the pipeline."},"updated_after":{"type":"string","description":"ISO 8601 time."},"updated_before":{"type":"string","description":"ISO 8601 time."},"order_by":{"type":"string","enum":["id","status","ref","updated_at","user_id"]},)" SAGEMCP_GITLAB_SORT_PROP
    R"(,)" SAGEMCP_GITLAB_LIMIT_PROP R"(},"required":["project"],"additionalProperties":false})",
    read_only, list_pipelines),
  rest_tool(
    "gitlab_get_pipeline", "Get a pipeline",
    "Get one pipeline: status, ref, commit, who triggered it, YAML errors, timing and coverage.",
    R"({"type":"object","properties":{)" SAGEMCP_GITLAB_PROJECT_PROP
    R"(,)" SAGEMCP_GITLAB_PIPELINE_ID_PROP
    R"(},"required":["project","pipeline_id"],"additionalProperties":false})",
    read_only, get_pipeline),
  rest_tool(
    "gitlab_list_branches", "List branches",
    "List the branches of a project's repository with their latest commit and protection.",
    R"({"type":"object","properties":{)" SAGEMCP_GITLAB_PROJECT_PROP
    R"(,"search":{"type":"string","minLength":1,"description":"Text to match in branch names; ^text matches the start, text$ the end."},)" SAGEMCP_GITLAB_LIMIT_PROP
    R"(},"required":["project"],"additionalProperties":false})",
    read_only, list_branches),
  rest_tool(
    "gitlab_get_file", "Get a file",
    "Read a file of a project's repository as text (up to 48 KiB); binary files are reported, "
    "not shown. Use gitlab_get_repository_tree to list directories.",
    R"({"type":"object","properties":{)" SAGEMCP_GITLAB_PROJECT_PROP
    R"(,"file_path":{"type":"string","minLength":1,"description":"Path inside the repository, such as src/main.c."},"ref":{"type":"string","minLength":1,"description":"Branch, tag or commit; the default branch when omitted."}},"required":["project","file_path"],"additionalProperties":false})",
    read_only, get_file),
  rest_tool(
    "gitlab_list_commits", "List commits",
    "List commits of a branch, newest first, optionally only those touching a path, by an author "
    "or within a time range.",
    R"({"type":"object","properties":{)" SAGEMCP_GITLAB_PROJECT_PROP
    R"(,"ref_name":{"type":"string","minLength":1,"description":"Branch, tag or commit to start from; the default branch when omitted."},"path":{"type":"string","minLength":1,"description":"Only commits touching this path."},"author":{"type":"string","minLength":1,"description":"Author name or email."},"since":{"type":"string","description":"ISO 8601 time."},"until":{"type":"string","description":"ISO 8601 time."},"first_parent":{"type":"boolean","description":"Follow only the first parent of merge commits."},"all":{"type":"boolean","description":"Commits of every branch and tag instead of one ref."},)" SAGEMCP_GITLAB_LIMIT_PROP
    R"(},"required":["project"],"additionalProperties":false})",
    read_only, list_commits),
  rest_tool(
    "gitlab_list_project_members", "List project members",
    "List a project's members, including those inherited from its groups, with access_level "
    "(10 guest, 20 reporter, 30 developer, 40 maintainer, 50 owner).",
    R"({"type":"object","properties":{)" SAGEMCP_GITLAB_PROJECT_PROP
    R"(,"query":{"type":"string","minLength":1,"description":"Text to match in names and usernames."},)" SAGEMCP_GITLAB_LIMIT_PROP
    R"(},"required":["project"],"additionalProperties":false})",
    read_only, list_project_members),
  rest_tool(
    "gitlab_list_groups", "List groups",
    "List the GitLab groups you are a member of (or all you can see with `all_available`), with "
    "their full paths.",
    R"({"type":"object","properties":{"search":{"type":"string","minLength":1,"description":"Text to match in the group's name or path."},"owned":{"type":"boolean","description":"Only groups you own."},"min_access_level":{"type":"integer","enum":[10,20,30,40,50],"description":"Only groups where you have at least this role: 10 guest, 20 reporter, 30 developer, 40 maintainer, 50 owner."},"top_level_only":{"type":"boolean","description":"Leave out subgroups."},"all_available":{"type":"boolean","description":"Every group you can see, not only yours."},"order_by":{"type":"string","enum":["name","path","id","similarity"]},)" SAGEMCP_GITLAB_SORT_PROP
    R"(,)" SAGEMCP_GITLAB_LIMIT_PROP R"(},"additionalProperties":false})",
    read_only, list_groups),
  rest_tool("gitlab_list_mr_discussions", "List merge request discussions",
            "List the discussion threads of a merge request: comments, review notes on diff lines "
            "(with file and line) and whether each is resolved; system notes are marked.",
            R"({"type":"object","properties":{)" SAGEMCP_GITLAB_PROJECT_PROP
            R"(,)" SAGEMCP_GITLAB_MR_IID_PROP R"(,)" SAGEMCP_GITLAB_LIMIT_PROP
            R"(},"required":["project","merge_request_iid"],"additionalProperties":false})",
            read_only, list_mr_discussions),
  rest_tool(
    "gitlab_add_mr_note", "Comment on a merge request",
    "Add a comment (note) to a merge request's overview.",
    R"({"type":"object","properties":{)" SAGEMCP_GITLAB_PROJECT_PROP
    R"(,)" SAGEMCP_GITLAB_MR_IID_PROP
    R"(,"body":{"type":"string","minLength":1,"description":"Markdown text; quick actions such as /approve also work."}},"required":["project","merge_request_iid","body"],"additionalProperties":false})",
    creates, add_mr_note),
  rest_tool(
    "gitlab_list_milestones", "List milestones",
    "List a project's milestones with their dates and state; their `id` is what milestone_id "
    "arguments take.",
    R"({"type":"object","properties":{)" SAGEMCP_GITLAB_PROJECT_PROP
    R"(,"state":{"type":"string","enum":["active","closed"]},"search":{"type":"string","minLength":1,"description":"Text to match in the title or description."},"include_ancestors":{"type":"boolean","description":"Include the milestones of the project's groups."},)" SAGEMCP_GITLAB_LIMIT_PROP
    R"(},"required":["project"],"additionalProperties":false})",
    read_only, list_milestones),
  rest_tool(
    "gitlab_list_labels", "List labels",
    "List the labels available in a project, with their colors, descriptions and, on request, "
    "issue and merge request counts.",
    R"({"type":"object","properties":{)" SAGEMCP_GITLAB_PROJECT_PROP
    R"(,"search":{"type":"string","minLength":1,"description":"Text to match in label names."},"with_counts":{"type":"boolean","description":"Include open and closed issue and open merge request counts."},"include_ancestor_groups":{"type":"boolean","description":"Include the labels of the project's groups (default true)."},)" SAGEMCP_GITLAB_LIMIT_PROP
    R"(},"required":["project"],"additionalProperties":false})",
    read_only, list_labels),
  rest_tool(
    "gitlab_get_repository_tree", "List repository files",
    "List the files and directories of a project's repository at a path and ref, optionally "
    "recursively; type is blob (file) or tree (directory).",
    R"({"type":"object","properties":{)" SAGEMCP_GITLAB_PROJECT_PROP
    R"(,"path":{"type":"string","minLength":1,"description":"Directory inside the repository; the root when omitted."},"ref":{"type":"string","minLength":1,"description":"Branch, tag or commit; the default branch when omitted."},"recursive":{"type":"boolean","description":"Include everything below the path, not only its direct entries."},)" SAGEMCP_GITLAB_LIMIT_PROP
    R"(},"required":["project"],"additionalProperties":false})",
    read_only, get_repository_tree),
  rest_tool(
    "gitlab_search_users", "Search users",
    "Find GitLab users by name, username or public email; their `id` is what assignee_ids and "
    "reviewer_ids take.",
    R"({"type":"object","properties":{"search":{"type":"string","minLength":1,"description":"Name, username or email to look for."},)" SAGEMCP_GITLAB_LIMIT_PROP
    R"(},"required":["search"],"additionalProperties":false})",
    read_only, search_users),
  rest_tool(
    "gitlab_retry_pipeline", "Retry a pipeline",
    "Retry the failed and canceled jobs of a pipeline; returns the pipeline with its new status.",
    R"({"type":"object","properties":{)" SAGEMCP_GITLAB_PROJECT_PROP
    R"(,)" SAGEMCP_GITLAB_PIPELINE_ID_PROP
    R"(},"required":["project","pipeline_id"],"additionalProperties":false})",
    updates, retry_pipeline),
};

#undef SAGEMCP_GITLAB_PROJECT_PROP
#undef SAGEMCP_GITLAB_LIMIT_PROP
#undef SAGEMCP_GITLAB_SORT_PROP
#undef SAGEMCP_GITLAB_LABELS_PROP
#undef SAGEMCP_GITLAB_MR_IID_PROP
#undef SAGEMCP_GITLAB_ISSUE_IID_PROP
#undef SAGEMCP_GITLAB_PIPELINE_ID_PROP
#undef SAGEMCP_GITLAB_DATE_PROP

constexpr config_field configuration[] = {
  {"token", "Access token",
   "A personal, project or group access token (scope api, or read_api for read-only use).", true,
   false},
  {"gitlab_url", "GitLab URL",
   "Address of a self-managed GitLab instance, such as https://gitlab.example.com; "
   "https://gitlab.com when empty.",
   false, false},
  credential_mode_config,
};

constexpr http_api api{.service = "GitLab",
                       .base_url = "https://gitlab.com/api/v4",
                       .base_url_field = "gitlab_url",
                       .base_url_suffix = "/api/v4",
                       .oauth_provider = "gitlab",
                       .token_field = "token",
                       .token_style = auth_style::bearer,
                       .error_paths = error_paths};

} // namespace

const connector_spec spec{"gitlab",
                          "GitLab",
                          "Projects, merge requests, issues, pipelines, branches, files, commits, "
                          "members, groups, milestones and labels on GitLab.com or a self-managed "
                          "GitLab instance.",
                          tools,
                          {},
                          {},
                          {},
                          nullptr,
                          configuration,
                          &api};

} // namespace sagemcp::connectors::gitlab
