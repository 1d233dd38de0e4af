#pragma once

#include "connectors/spec.hpp"

/// The `everything` fixtures that need input from the client. On a 2025-era session the runtime
/// asks the client on the call's stream; a 2026-07-28 client gets an `input_required` result and
/// retries with its answers.
namespace sagemcp::connectors::everything::interactive {

/// test_sampling: asks the client's model to answer `prompt`.
caf::expected<boost::json::object> sampling(const request_input& in);

/// test_elicitation: asks the user for a response to `message`.
caf::expected<boost::json::object> elicitation(const request_input& in);

/// test_url_elicitation: asks the user to open a page (URL mode, SEP-1036); the client must
/// declare `elicitation.url`.
caf::expected<boost::json::object> url_elicitation(const request_input& in);

/// test_elicitation_sep1034_defaults: a form whose fields all have defaults.
caf::expected<boost::json::object> elicitation_defaults(const request_input& in);

/// test_elicitation_sep1330_enums: a form with the five enum schema variants.
caf::expected<boost::json::object> elicitation_enums(const request_input& in);

/// test_missing_capability: needs sampling, so a client without it is refused.
caf::expected<boost::json::object> missing_capability(const request_input& in);

/// test_streaming_elicitation: asks the user to confirm; never a request on a 2026 stream.
caf::expected<boost::json::object> streaming_elicitation(const request_input& in);

/// test_input_required_result_elicitation: asks for a name, greets it.
caf::expected<boost::json::object> mrtr_elicitation(const request_input& in);

/// test_input_required_result_sampling: asks the model a question, reports its answer.
caf::expected<boost::json::object> mrtr_sampling(const request_input& in);

/// test_input_required_result_list_roots: asks for the client's roots, counts them.
caf::expected<boost::json::object> mrtr_list_roots(const request_input& in);

/// test_input_required_result_request_state: asks for a confirmation together with a state.
caf::expected<boost::json::object> mrtr_request_state(const request_input& in);

/// test_input_required_result_multiple_inputs: asks for a name, a greeting and the roots at once.
caf::expected<boost::json::object> mrtr_multiple_inputs(const request_input& in);

/// test_input_required_result_multi_round: asks for a name, then for a colour.
caf::expected<boost::json::object> mrtr_multi_round(const request_input& in);

/// test_input_required_result_tampered_state: asks for a confirmation with a state the platform
/// protects; a tampered state never reaches the handler.
caf::expected<boost::json::object> mrtr_tampered_state(const request_input& in);

/// test_input_required_result_capabilities: asks only for what the client declared.
caf::expected<boost::json::object> mrtr_capabilities(const request_input& in);

/// The prompt test_input_required_result_prompt: asks for the context to render with.
caf::expected<boost::json::object> mrtr_prompt(const request_input& in);

} // namespace sagemcp::connectors::everything::interactive
