//! The `openapi` check kind: the server's own OpenAPI document, held against
//! what its responses really were. After an item's steps, the document is
//! fetched (`GET /openapi.json` unless told otherwise) and each step's
//! exchange is looked up in it, as schemathesis' conformance checks do: its
//! path and method are documented (`operations`), its status is declared
//! (`statuses`), its JSON body validates against the declared schema
//! (`schemas`, JSON Schema 2020-12 as OpenAPI 3.1 uses it), and a request body
//! it sent has an example that fits its schema (`examples`). Each mismatch is one line naming the
//! exchange ("POST /users 201: at /id, "7" is not of type "integer""). Its
//! model is [`OpenApi`]; [`evaluate`] is pure; the executor collects the
//! exchanges while the steps run.

use serde_json::Value as Json;

use super::model::OpenApi;
use crate::report::Assertion;

/// One step's request and response, as the document is held against them.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path without its query: `/users/7`.
    pub path: String,
    /// Whether the request had a JSON body.
    pub sent_json: bool,
    /// The response's status.
    pub status: u16,
    /// The response body, when it was JSON.
    pub body: Option<Json>,
}

impl Exchange {
    /// The exchange of a step that held.
    pub fn of(request: &crate::report::RequestRecord, response: &super::eval::Response) -> Self {
        let path = request
            .url
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
            .unwrap_or("/");
        let path = path.split(['?', '#']).next().unwrap_or(path);
        let is_json = |ct: Option<String>| ct.is_some_and(|c| c.contains("json"));
        let sent_json = request
            .headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("content-type") && v.contains("json"));
        Exchange {
            method: request.method.clone(),
            path: path.to_string(),
            sent_json: sent_json && request.body.is_some(),
            status: response.status,
            body: is_json(response.header("content-type"))
                .then(|| response.json().ok())
                .flatten(),
        }
    }

    fn name(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// The assertions of `o` on `doc` (the document as served) and the exchanges
/// of the item's steps, in their order.
pub fn evaluate(o: &OpenApi, doc: &Json, exchanges: &[Exchange]) -> Vec<Assertion> {
    let mut out = Vec::new();
    let version = doc.get("openapi").and_then(Json::as_str).unwrap_or("");
    if !version.starts_with("3.") {
        out.push(Assertion {
            subject: "the document".into(),
            expected: "an OpenAPI 3 document (`\"openapi\": \"3.1.0\"`)".into(),
            actual: if version.is_empty() {
                "no `openapi` version field".into()
            } else {
                format!("`openapi` is {version:?}")
            },
            passed: false,
        });
        return out;
    }
    for x in exchanges {
        let Some((template, item)) = path_item(doc, &x.path) else {
            if o.operations {
                out.push(miss(
                    &x.name(),
                    "is documented",
                    format!(
                        "no path of the document matches it; it documents {}",
                        list(doc.get("paths").and_then(Json::as_object).map(|p| p.keys()))
                    ),
                ));
            }
            continue;
        };
        let method = x.method.to_ascii_lowercase();
        let Some(op) = item.get(&method) else {
            if o.operations {
                let methods = item
                    .as_object()
                    .map(|m| m.keys().filter(|k| is_method(k)).map(|k| k.to_uppercase()));
                out.push(miss(
                    &x.name(),
                    "is documented",
                    format!("`{template}` documents {} only", list(methods)),
                ));
            }
            continue;
        };
        let name = format!("{} {template}", x.method);
        if o.operations {
            out.push(hold(&name, "is documented"));
        }
        let declared = op.get("responses").and_then(Json::as_object);
        let response = declared.and_then(|r| {
            let status = x.status.to_string();
            let range = format!("{}XX", x.status / 100);
            r.get(&status)
                .or_else(|| r.get(&range))
                .or_else(|| r.get("default"))
        });
        let response = response.map(|r| resolve(doc, r));
        if o.statuses {
            match response {
                Some(_) => out.push(hold(&format!("{name} {}", x.status), "is declared")),
                None => out.push(miss(
                    &format!("{name} {}", x.status),
                    "is declared among its responses",
                    format!(
                        "the document declares {} only",
                        list(declared.map(|r| r.keys()))
                    ),
                )),
            }
        }
        if o.schemas
            && let (Some(response), Some(body)) = (response, &x.body)
        {
            out.extend(conforms(
                doc,
                &format!("{name} {}", x.status),
                response,
                body,
            ));
        }
        if o.examples && x.sent_json {
            out.push(example(doc, &name, op));
        }
    }
    out
}

impl super::exec::Executor {
    /// Fetches the document and holds it against the item's `exchanges`.
    pub(super) async fn run_openapi(
        &self,
        o: &OpenApi,
        exchanges: &[Exchange],
    ) -> Result<(), Box<super::exec::Missed>> {
        use super::exec::Missed;
        let request = crate::report::RequestRecord {
            method: "GET".into(),
            url: self.url(&o.document),
            headers: Vec::new(),
            body: None,
        };
        let response = self
            .send(&request)
            .await
            .map_err(|why| Missed::new(request.clone(), None, Some(why), vec![]))?;
        let record = self.record(&response);
        let doc = match (response.status, response.json()) {
            (200, Ok(doc)) => doc,
            (200, Err(e)) => {
                let why = format!("the document at {} is not JSON: {e}", o.document);
                return Err(Missed::new(request, Some(record), Some(why), vec![]));
            }
            (status, _) => {
                let why = format!(
                    "the server does not serve its OpenAPI document at {} (status {status})",
                    o.document
                );
                return Err(Missed::new(request, Some(record), Some(why), vec![]));
            }
        };
        let failed: Vec<Assertion> = evaluate(o, &doc, exchanges)
            .into_iter()
            .filter(|a| !a.passed)
            .collect();
        if failed.is_empty() {
            Ok(())
        } else {
            Err(Missed::new(request, Some(record), None, failed))
        }
    }
}

/// The assertions of one JSON body against its declared response, and of
/// the response's examples against the same schema.
fn conforms(doc: &Json, name: &str, response: &Json, body: &Json) -> Vec<Assertion> {
    let media = response
        .get("content")
        .and_then(Json::as_object)
        .and_then(|c| c.iter().find(|(k, _)| k.starts_with("application/json")))
        .map(|(_, media)| media);
    let Some((media, schema)) = media.and_then(|m| Some((m, m.get("schema")?))) else {
        return vec![miss(
            name,
            "declares the JSON body it answers",
            "the response has a JSON body; the document declares no `application/json` schema for it".into(),
        )];
    };
    let mut out = vec![match schema_errors(doc, schema, body) {
        Ok(errors) if errors.is_empty() => hold(name, "answers what its schema declares"),
        Ok(errors) => miss(name, "answers what its schema declares", errors.join("; ")),
        Err(why) => return vec![miss(name, "has a schema that can be used", why)],
    }];
    let expected = "shows examples of its body that fit its schema";
    for (at, value) in examples(doc, media, Some(resolve(doc, schema)), "response body") {
        match schema_errors(doc, schema, value) {
            Ok(errors) if errors.is_empty() => {}
            Ok(errors) => {
                out.push(miss(name, expected, unfit(&at, &errors, value)));
                return out;
            }
            Err(why) => return vec![miss(name, "has a schema that can be used", why)],
        }
    }
    out
}

/// Why an example does not fit its schema, with the example.
fn unfit(at: &str, errors: &[String], value: &Json) -> String {
    format!(
        "the example {at} does not fit the schema: {} (the example: {})",
        errors.join("; "),
        short(value)
    )
}

/// Why `body` does not validate against `schema`, which may `$ref` anything in `doc`.
pub fn schema_errors(doc: &Json, schema: &Json, body: &Json) -> Result<Vec<String>, String> {
    // The document is the root resource, so `#/components/...` resolves; the
    // schema itself is reached through a `$ref` from the root.
    let mut root = doc.clone();
    let Some(obj) = root.as_object_mut() else {
        return Err("the document is not a JSON object".into());
    };
    obj.insert("$defs-apilings-target".into(), schema.clone());
    obj.insert("$ref".into(), Json::from("#/$defs-apilings-target"));
    obj.insert(
        "$schema".into(),
        Json::from("https://json-schema.org/draft/2020-12/schema"),
    );
    let validator = jsonschema::validator_for(&root)
        .map_err(|e| format!("its schema does not compile: {e}"))?;
    Ok(validator
        .iter_errors(body)
        .take(3)
        .map(|e| {
            let at = e.instance_path().to_string();
            let at = if at.is_empty() {
                "the body".to_string()
            } else {
                format!("at {at}")
            };
            format!("{at}, {e}")
        })
        .collect())
}

/// The assertion that an operation's request body has an example, and that
/// each example fits the body's schema (an example that does not teaches
/// readers, and the tools that send it, a request the API refuses).
fn example(doc: &Json, name: &str, op: &Json) -> Assertion {
    let media = op
        .get("requestBody")
        .map(|b| resolve(doc, b))
        .and_then(|b| b.get("content"))
        .and_then(Json::as_object)
        .and_then(|c| c.iter().find(|(k, _)| k.starts_with("application/json")))
        .map(|(_, m)| m);
    let Some(media) = media else {
        return miss(
            name,
            "documents its JSON request body",
            "the request sent JSON; the document declares no `application/json` request body"
                .into(),
        );
    };
    let expected = "shows an example of its request body that fits its schema";
    let schema = media.get("schema");
    let found = examples(doc, media, schema.map(|s| resolve(doc, s)), "request body");
    if found.is_empty() {
        return miss(
            name,
            expected,
            "neither the request body nor its schema has an `example` or `examples`".into(),
        );
    }
    let Some(schema) = schema else {
        return hold(name, expected);
    };
    for (at, value) in found {
        match schema_errors(doc, schema, value) {
            Ok(errors) if errors.is_empty() => {}
            Ok(errors) => return miss(name, expected, unfit(&at, &errors, value)),
            Err(why) => return miss(name, "has a schema that can be used", why),
        }
    }
    hold(name, expected)
}

/// Every example of a body (`body`: "request body", "response body"), with
/// where it is: the media type's `example` and `examples` (Example Objects,
/// maybe `$ref`s), the schema's `example` and `examples` (a JSON Schema array).
fn examples<'a>(
    doc: &'a Json,
    media: &'a Json,
    schema: Option<&'a Json>,
    body: &str,
) -> Vec<(String, &'a Json)> {
    let mut out: Vec<(String, &Json)> = Vec::new();
    if let Some(v) = media.get("example") {
        out.push((format!("of the {body}"), v));
    }
    if let Some(named) = media.get("examples").and_then(Json::as_object) {
        for (key, e) in named {
            if let Some(v) = resolve(doc, e).get("value") {
                out.push((format!("`{key}` of the {body}"), v));
            }
        }
    }
    if let Some(schema) = schema {
        if let Some(v) = schema.get("example") {
            out.push(("of its schema".into(), v));
        }
        if let Some(list) = schema.get("examples").and_then(Json::as_array) {
            out.extend(list.iter().map(|v| ("of its schema".to_string(), v)));
        }
    }
    out
}

/// A JSON value on one line, cut to a readable length.
fn short(value: &Json) -> String {
    let text = value.to_string();
    match text.char_indices().nth(120) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// The path item whose template matches `path` (`/users/{id}` for `/users/7`).
fn path_item<'a>(doc: &'a Json, path: &str) -> Option<(&'a str, &'a Json)> {
    let paths = doc.get("paths")?.as_object()?;
    let parts: Vec<&str> = path.split('/').collect();
    // A literal path wins over a template (`/users/me` over `/users/{id}`).
    let matches = |template: &str| {
        let t: Vec<&str> = template.split('/').collect();
        (t.len() == parts.len()
            && t.iter()
                .zip(&parts)
                .all(|(t, p)| t == p || (t.starts_with('{') && t.ends_with('}') && !p.is_empty())))
        .then(|| t.iter().filter(|s| s.starts_with('{')).count())
    };
    paths
        .iter()
        .filter_map(|(k, v)| matches(k).map(|holes| (holes, k.as_str(), v)))
        .min_by_key(|(holes, ..)| *holes)
        .map(|(_, k, v)| (k, resolve(doc, v)))
}

/// `value`, or what its `$ref` (`#/components/...`) points at.
fn resolve<'a>(doc: &'a Json, value: &'a Json) -> &'a Json {
    match value.get("$ref").and_then(Json::as_str) {
        Some(r) => r
            .strip_prefix('#')
            .and_then(|pointer| doc.pointer(pointer))
            .unwrap_or(value),
        None => value,
    }
}

fn is_method(k: &str) -> bool {
    matches!(
        k,
        "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace"
    )
}

fn list(keys: Option<impl Iterator<Item = impl AsRef<str>>>) -> String {
    let keys: Vec<String> = keys
        .map(|k| k.map(|k| k.as_ref().to_string()).collect())
        .unwrap_or_default();
    if keys.is_empty() {
        "nothing".into()
    } else {
        keys.join(", ")
    }
}

fn hold(subject: &str, expected: &str) -> Assertion {
    Assertion {
        subject: subject.into(),
        expected: expected.into(),
        actual: "yes".into(),
        passed: true,
    }
}

fn miss(subject: &str, expected: &str, actual: String) -> Assertion {
    Assertion {
        subject: subject.into(),
        expected: expected.into(),
        actual,
        passed: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Json {
        json!({
            "openapi": "3.1.0",
            "info": { "title": "t", "version": "1" },
            "paths": {
                "/users": {
                    "post": {
                        "requestBody": { "content": { "application/json": {
                            "schema": { "$ref": "#/components/schemas/NewUser" } } } },
                        "responses": {
                            "201": { "description": "created", "content": { "application/json": {
                                "schema": { "$ref": "#/components/schemas/User" } } } },
                            "422": { "description": "invalid" }
                        }
                    }
                },
                "/users/{id}": {
                    "get": { "responses": {
                        "200": { "description": "ok", "content": { "application/json": {
                            "schema": { "$ref": "#/components/schemas/User" } } } }
                    } }
                },
                "/users/me": { "get": { "responses": { "200": { "description": "me" } } } }
            },
            "components": { "schemas": {
                "NewUser": { "type": "object", "required": ["name"],
                    "properties": { "name": { "type": "string" } },
                    "example": { "name": "Ada" } },
                "User": { "type": "object", "required": ["id", "name"],
                    "properties": { "id": { "type": "integer" }, "name": { "type": "string" } } }
            } }
        })
    }

    fn all() -> OpenApi {
        OpenApi {
            document: "/openapi.json".into(),
            operations: true,
            statuses: true,
            schemas: true,
            examples: true,
        }
    }

    fn x(method: &str, path: &str, status: u16, body: Option<Json>) -> Exchange {
        Exchange {
            method: method.into(),
            path: path.into(),
            sent_json: method == "POST",
            status,
            body,
        }
    }

    fn failures(doc: &Json, exchanges: &[Exchange]) -> Vec<String> {
        evaluate(&all(), doc, exchanges)
            .into_iter()
            .filter(|a| !a.passed)
            .map(|a| format!("{} {}: {}", a.subject, a.expected, a.actual))
            .collect()
    }

    #[test]
    fn exchanges_as_documented_pass() {
        let ok = [
            x(
                "POST",
                "/users",
                201,
                Some(json!({ "id": 7, "name": "Ada" })),
            ),
            x("POST", "/users", 422, None),
            x(
                "GET",
                "/users/7",
                200,
                Some(json!({ "id": 7, "name": "Ada" })),
            ),
            x("GET", "/users/me", 200, None),
        ];
        assert_eq!(failures(&doc(), &ok), Vec::<String>::new());
    }

    #[test]
    fn each_drift_is_one_precise_line() {
        let drift = [
            x("DELETE", "/users/7", 204, None),
            x("GET", "/orders", 200, None),
            x(
                "GET",
                "/users/7",
                404,
                Some(json!({ "error": "not_found" })),
            ),
            x(
                "POST",
                "/users",
                201,
                Some(json!({ "id": "7", "name": "Ada" })),
            ),
        ];
        assert_eq!(
            failures(&doc(), &drift),
            [
                "DELETE /users/7 is documented: `/users/{id}` documents GET only",
                "GET /orders is documented: no path of the document matches it; it documents /users, /users/me, /users/{id}",
                "GET /users/{id} 404 is declared among its responses: the document declares 200 only",
                "POST /users 201 answers what its schema declares: at /id, \"7\" is not of type \"integer\"",
            ]
        );
    }

    #[test]
    fn a_json_body_without_a_declared_schema_and_a_missing_example_are_named() {
        let mut d = doc();
        d["components"]["schemas"]["NewUser"]
            .as_object_mut()
            .unwrap()
            .remove("example");
        let f = failures(
            &d,
            &[
                x("GET", "/users/me", 200, Some(json!({ "id": 1 }))),
                x("POST", "/users", 422, None),
            ],
        );
        assert_eq!(
            f,
            [
                "GET /users/me 200 declares the JSON body it answers: the response has a JSON body; the document declares no `application/json` schema for it",
                "POST /users shows an example of its request body that fits its schema: neither the request body nor its schema has an `example` or `examples`",
            ]
        );
    }

    #[test]
    fn an_example_that_does_not_fit_its_schema_is_named_wherever_it_is() {
        let post = || vec![x("POST", "/users", 201, None)];
        let schema = "/components/schemas/NewUser";
        let media = "/paths/~1users/post/requestBody/content/application~1json";
        // On the schema, as `example` and as a 2020-12 `examples` array.
        let mut d = doc();
        d.pointer_mut(schema).unwrap()["example"] = json!({ "nmae": "Ada" });
        assert_eq!(
            failures(&d, &post()),
            [
                "POST /users shows an example of its request body that fits its schema: \
              the example of its schema does not fit the schema: the body, \"name\" is a required property \
              (the example: {\"nmae\":\"Ada\"})"
            ]
        );
        let mut d = doc();
        let s = d.pointer_mut(schema).unwrap().as_object_mut().unwrap();
        s.remove("example");
        s.insert("examples".into(), json!([{ "name": "Ada" }, { "name": 7 }]));
        let f = failures(&d, &post());
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].contains("at /name, 7 is not of type \"string\""),
            "{f:?}"
        );
        // On the media type, as named Example Objects, one through a $ref.
        let mut d = doc();
        d.pointer_mut(schema)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .remove("example");
        d.pointer_mut(media).unwrap()["examples"] = json!({
            "good": { "value": { "name": "Ada" } },
            "bad": { "$ref": "#/components/examples/Bad" },
        });
        d["components"]["examples"] = json!({ "Bad": { "value": { "name": ["Ada"] } } });
        let f = failures(&d, &post());
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].contains("the example `bad` of the request body does not fit"),
            "{f:?}"
        );
        // Examples that fit pass, wherever they are.
        d["components"]["examples"]["Bad"]["value"] = json!({ "name": "Grace" });
        assert_eq!(failures(&d, &post()), Vec::<String>::new());
    }

    #[test]
    fn a_response_example_that_does_not_fit_is_named_with_its_response() {
        let get = |d: &Json| {
            let ada = json!({ "id": 7, "name": "Ada" });
            failures(d, &[x("GET", "/users/7", 200, Some(ada))])
        };
        let mut d = doc();
        d["components"]["schemas"]["User"]["examples"] = json!([{ "id": "7", "name": "Ada" }]);
        assert_eq!(
            get(&d),
            [
                "GET /users/{id} 200 shows examples of its body that fit its schema: \
              the example of its schema does not fit the schema: at /id, \"7\" is not of type \"integer\" \
              (the example: {\"id\":\"7\",\"name\":\"Ada\"})"
            ]
        );
        d["components"]["schemas"]["User"]["examples"] = json!([{ "id": 7, "name": "Ada" }]);
        let f = get(&d);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn not_openapi_3_is_said_once() {
        let f = failures(
            &json!({ "swagger": "2.0" }),
            &[x("GET", "/users/7", 200, None)],
        );
        assert_eq!(
            f,
            [
                "the document an OpenAPI 3 document (`\"openapi\": \"3.1.0\"`): no `openapi` version field"
            ]
        );
    }
}
