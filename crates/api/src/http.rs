//! GraphQL over HTTP without naming async-graphql in the server: a request body is prepared
//! (parsed, its operation inspected), then executed with the caller's data.

use async_graphql::Positioned;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use kernel::Viewer;
use kernel::db::Db;

use crate::context::request_data;
use crate::errors::TopError;
use crate::schema::{AppSchema, Limits, MAX_NESTING, localize_limits};

/// The kind of operation a request will run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    Query,
    Mutation,
    Subscription,
}

/// A request ready to run, with what the server needs to know of it beforehand.
pub struct Prepared {
    request: async_graphql::Request,
    /// `None` when the document does not parse or names no such operation (execution then
    /// reports why).
    pub kind: Option<OperationKind>,
    /// The operation's name, given or parsed (for metrics).
    pub operation_name: Option<String>,
    /// Whether the operation selects `trace` at its root: every such look-up counts a scan,
    /// so it must not be answered from a cache.
    pub reads_trace: bool,
}

/// Parses a JSON request body. Refuses what is not a GraphQL request object, and documents
/// nested deeper than any valid query could be.
pub fn prepare(body: &[u8]) -> Result<Prepared, TopError> {
    let request: async_graphql::Request = serde_json::from_slice(body)
        .map_err(|_| TopError::invalid(crate::messages::NOT_A_GRAPHQL_REQUEST))?;
    let mut prepared = Prepared {
        kind: None,
        operation_name: request.operation_name.clone(),
        reads_trace: false,
        request,
    };
    match documents::parse(&prepared.request.query) {
        Ok(doc) => {
            if let Some((name, op_ty, selection)) =
                chosen(&doc, prepared.request.operation_name.as_deref())
            {
                if nesting(&doc, selection, 0, &mut Vec::new()) > MAX_NESTING {
                    return Err(TopError::too_complex(crate::messages::NESTED_TOO_DEEP));
                }
                prepared.kind = Some(match op_ty {
                    OperationType::Query => OperationKind::Query,
                    OperationType::Mutation => OperationKind::Mutation,
                    OperationType::Subscription => OperationKind::Subscription,
                });
                prepared.reads_trace = selects(&doc, selection, "trace", &mut Vec::new());
                if prepared.operation_name.is_none() {
                    prepared.operation_name = name;
                }
            }
            // Execution takes the document as it is instead of parsing the text again.
            prepared.request.set_parsed_query(doc);
        }
        Err(async_graphql::parser::Error::RecursionLimitExceeded) => {
            return Err(TopError::too_complex(crate::messages::NESTED_TOO_DEEP));
        }
        // Other syntax errors are reported by execution, in the usual shape.
        Err(_) => {}
    }
    Ok(prepared)
}

/// Documents parsed lately, by their text, remembered per replica. Clients send a few query
/// texts with many different variables (every shopper's listing page is one text), and parsing
/// one cost the server about a tenth of its CPU per listing request, twice over before
/// execution took the parsed document. Only documents that parse are remembered; a clone is
/// handed out, since execution consumes it.
mod documents {
    use std::collections::HashMap;
    use std::sync::{Arc, LazyLock, Mutex};

    use async_graphql::parser::types::ExecutableDocument;

    /// Past this many documents the memory starts over.
    const ENTRIES: usize = 128;
    /// Longer texts are parsed every time (what is remembered stays a few MiB at most).
    const LONGEST: usize = 8 * 1024;

    type Memory = HashMap<String, Arc<ExecutableDocument>>;
    static MEMORY: LazyLock<Mutex<Memory>> = LazyLock::new(Mutex::default);

    pub fn parse(query: &str) -> Result<ExecutableDocument, async_graphql::parser::Error> {
        if query.len() > LONGEST {
            return async_graphql::parser::parse_query(query);
        }
        let known = MEMORY
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(query)
            .cloned();
        if let Some(doc) = known {
            return Ok((*doc).clone());
        }
        let doc = async_graphql::parser::parse_query(query)?;
        let mut memory = MEMORY.lock().unwrap_or_else(|e| e.into_inner());
        if memory.len() >= ENTRIES {
            memory.clear();
        }
        memory.insert(query.to_owned(), Arc::new(doc.clone()));
        Ok(doc)
    }
}

/// The operation that will run: the named one, or the only one.
fn chosen<'d>(
    doc: &'d ExecutableDocument,
    name: Option<&str>,
) -> Option<(Option<String>, OperationType, &'d Positioned<SelectionSet>)> {
    match &doc.operations {
        DocumentOperations::Single(op) => Some((None, op.node.ty, &op.node.selection_set)),
        DocumentOperations::Multiple(ops) => {
            let (k, op) = match name {
                Some(n) => ops.iter().find(|(k, _)| k.as_str() == n)?,
                None if ops.len() == 1 => ops.iter().next()?,
                None => return None,
            };
            Some((Some(k.to_string()), op.node.ty, &op.node.selection_set))
        }
    }
}

/// Whether `field` is selected at this level (through fragments, not inside other fields).
fn selects<'d>(
    doc: &'d ExecutableDocument,
    set: &'d Positioned<SelectionSet>,
    field: &str,
    seen: &mut Vec<&'d str>,
) -> bool {
    set.node.items.iter().any(|item| match &item.node {
        Selection::Field(f) => f.node.name.node.as_str() == field,
        Selection::InlineFragment(i) => selects(doc, &i.node.selection_set, field, seen),
        Selection::FragmentSpread(s) => {
            let name = s.node.fragment_name.node.as_str();
            if seen.contains(&name) {
                return false;
            }
            seen.push(name);
            doc.fragments
                .get(&s.node.fragment_name.node)
                .is_some_and(|f| selects(doc, &f.node.selection_set, field, seen))
        }
    })
}

/// How deeply selection sets nest below this one, following fragments once each per path.
fn nesting<'d>(
    doc: &'d ExecutableDocument,
    set: &'d Positioned<SelectionSet>,
    depth: usize,
    path: &mut Vec<&'d str>,
) -> usize {
    if depth > MAX_NESTING {
        return depth;
    }
    let mut deepest = depth;
    for item in &set.node.items {
        let d = match &item.node {
            Selection::Field(f) => nesting(doc, &f.node.selection_set, depth + 1, path),
            Selection::InlineFragment(i) => nesting(doc, &i.node.selection_set, depth, path),
            Selection::FragmentSpread(s) => {
                let name = s.node.fragment_name.node.as_str();
                match doc.fragments.get(&s.node.fragment_name.node) {
                    Some(f) if !path.contains(&name) => {
                        path.push(name);
                        let d = nesting(doc, &f.node.selection_set, depth, path);
                        path.pop();
                        d
                    }
                    _ => depth,
                }
            }
        };
        deepest = deepest.max(d);
    }
    deepest
}

/// A response body and whether it carried no errors.
pub struct Executed {
    pub body: Vec<u8>,
    pub ok: bool,
}

/// Runs a prepared request as `viewer` from `client_ip`.
pub async fn execute(
    schema: &AppSchema,
    db: &Db,
    prepared: Prepared,
    viewer: Viewer,
    client_ip: String,
) -> Executed {
    let mut request = prepared.request;
    request.data = request_data(db, viewer, client_ip);
    // Pages read ahead for this request only (a websocket connection lives longer than its
    // reads, so it has none).
    request.data.insert(crate::loaders::Prefetched::default());
    let mut response = schema.execute(request).await;
    let ok = response.errors.is_empty();
    if let (false, Some(limits)) = (ok, schema.data::<Limits>()) {
        localize_limits(limits, &mut response.errors);
    }
    match serde_json::to_vec(&response) {
        Ok(body) => Executed { body, ok },
        Err(e) => {
            tracing::error!(error = %e, "serialising a response failed");
            Executed {
                body: TopError::internal().response_body().into_bytes(),
                ok: false,
            }
        }
    }
}

/// The GraphiQL page.
pub fn graphiql(endpoint: &str, subscriptions: &str) -> String {
    async_graphql::http::GraphiQLSource::build()
        .endpoint(endpoint)
        .subscription_endpoint(subscriptions)
        .title("Chợ OCOP — GraphiQL")
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prep(q: &str) -> Prepared {
        prepare(serde_json::json!({ "query": q }).to_string().as_bytes()).unwrap()
    }

    #[test]
    fn trace_is_found_through_fragments_but_not_as_a_word() {
        assert!(prep("{ trace(code: \"X\") { scanCount } }").reads_trace);
        assert!(
            prep("query Q { ...F } fragment F on Query { trace(code: \"X\") { scanCount } }")
                .reads_trace
        );
        assert!(!prep("{ products(filter: { search: \"trace\" }) { nodes { id } } }").reads_trace);
        assert!(!prep("{ products { nodes { lots { nodes { traceCode } } } } }").reads_trace);
        assert_eq!(
            prep("mutation { login(email: \"a\", password: \"b\") { token } }").kind,
            Some(OperationKind::Mutation)
        );
    }

    #[test]
    fn a_remembered_document_serves_each_request_its_own_operation() {
        let q = "query Q { trace(code: \"X\") { scanCount } } mutation M { logout }";
        // The second round reads the document parsed in the first.
        for _ in 0..2 {
            let body =
                |op: &str| serde_json::json!({ "query": q, "operationName": op }).to_string();
            let query = prepare(body("Q").as_bytes()).unwrap();
            assert_eq!(query.kind, Some(OperationKind::Query));
            assert!(query.reads_trace);
            let mutation = prepare(body("M").as_bytes()).unwrap();
            assert_eq!(mutation.kind, Some(OperationKind::Mutation));
            assert!(!mutation.reads_trace);
        }
    }

    #[test]
    fn absurd_nesting_is_refused_before_execution() {
        let q = format!("{}{}", "{ a ".repeat(80), "}".repeat(80));
        let body = serde_json::json!({ "query": q }).to_string();
        assert_eq!(
            prepare(body.as_bytes()).err().map(|e| e.code),
            Some("QUERY_TOO_COMPLEX")
        );
    }
}
