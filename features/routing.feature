@l7 @routing
Feature: Content-based routing
  An HTTP listener's "routes" send each request to a pool by what it asks for. A route matches on
  the host (the Host header without its port, case-insensitive: exact, or "*.example.com" for one
  or more labels before example.com but not example.com itself), the path (exact; a prefix of
  whole segments, so "/api" matches /api, /api/ and /api/x but never /apix; or a pattern where "*"
  is any one segment and a final "/*" any one or more), the method, headers (exact value, present,
  or a regular expression the whole value matches) and query parameters (exact value or present).
  Every condition a route gives must hold.

  Which route wins does not depend on the order the routes are written in: the most specific host
  (exact, then wildcards with more labels, then none), then the most specific path (exact; then
  prefixes and patterns by their number of literal segments, a prefix before a pattern, then the
  longer), then a route naming methods, then more header matches, then more query matches; a tie
  goes to the route whose name sorts first. A request no route matches goes to the listener's
  pool, or gets 404 with a body saying so when it has none.

  Here every backend has a pool of its own named after it.

  @task-04 @task-07
  Scenario Outline: The most specific route wins, in whichever order the routes are written (<order>)
    Given 5 HTTP backends
    And a balancer with an HTTP listener routing to a pool per backend like this:
      """
      { "routes": <routes> }
      """
    Then requests are routed like this:
      | method | host        | target        | to  |
      | GET    | app.example | /             | b1  |
      | GET    | app.example | /api/orders   | b2  |
      | GET    | app.example | /api/health   | b3  |
      | POST   | app.example | /api/orders   | b4  |
      | GET    | app.example | /api/42/users | b5  |

    @id:route-most-specific-wins-whichever-general-first
    Examples: general first
      | order           | routes                                                                                                                                                                                                                                                                                                                                                                                   |
      | general first   | [{ "name": "root", "pool": "b1", "match": { "path": { "prefix": "/" } } }, { "name": "api", "pool": "b2", "match": { "path": { "prefix": "/api" } } }, { "name": "health", "pool": "b3", "match": { "path": { "exact": "/api/health" } } }, { "name": "writes", "pool": "b4", "match": { "path": { "prefix": "/api" }, "method": ["POST"] } }, { "name": "users", "pool": "b5", "match": { "path": { "pattern": "/api/*/users" } } }] |

    @id:route-most-specific-wins-whichever-specific-first
    Examples: specific first
      | order           | routes                                                                                                                                                                                                                                                                                                                                                                                   |
      | specific first  | [{ "name": "users", "pool": "b5", "match": { "path": { "pattern": "/api/*/users" } } }, { "name": "writes", "pool": "b4", "match": { "path": { "prefix": "/api" }, "method": ["POST"] } }, { "name": "health", "pool": "b3", "match": { "path": { "exact": "/api/health" } } }, { "name": "api", "pool": "b2", "match": { "path": { "prefix": "/api" } } }, { "name": "root", "pool": "b1", "match": { "path": { "prefix": "/" } } }] |

  @task-07 @id:route-prefixes-match-whole-segments
  Scenario: Prefixes match whole segments and patterns one segment per star
    Given 3 HTTP backends
    And a balancer with an HTTP listener routing to a pool per backend like this:
      """
      { "pool": "b1",
        "routes": [{ "name": "api", "pool": "b2", "match": { "path": { "prefix": "/api" } } },
                   { "name": "static", "pool": "b3", "match": { "path": { "pattern": "/static/*" } } }] }
      """
    Then requests are routed like this:
      | method | host        | target          | to |
      | GET    | app.example | /api            | b2 |
      | GET    | app.example | /api/           | b2 |
      | GET    | app.example | /api/v1/items   | b2 |
      | GET    | app.example | /apix           | b1 |
      | GET    | app.example | /api-docs       | b1 |
      | GET    | app.example | /static         | b1 |
      | GET    | app.example | /static/app.css | b3 |
      | GET    | app.example | /static/img/a.png | b3 |

  @task-04 @id:route-hosts-headers-query-parameters
  Scenario: Hosts, headers and query parameters route; a request nothing matches gets 404
    Given 4 HTTP backends
    And a balancer with an HTTP listener routing to a pool per backend like this:
      """
      { "routes": [{ "name": "admin", "pool": "b1", "match": { "host": "admin.example" } },
                   { "name": "tenants", "pool": "b2", "match": { "host": "*.tenants.example" } },
                   { "name": "canary", "pool": "b3", "match": { "host": "app.example", "headers": [{ "name": "X-Canary", "regex": "yes|true" }] } },
                   { "name": "v2", "pool": "b4", "match": { "host": "app.example", "query": [{ "name": "version", "exact": "2" }] } }] }
      """
    Then requests are routed like this:
      | method | host                | target       | header            | to  |
      | GET    | admin.example       | /            |                   | b1  |
      | GET    | ADMIN.example:8080  | /x           |                   | b1  |
      | GET    | a.tenants.example   | /            |                   | b2  |
      | GET    | a.b.tenants.example | /            |                   | b2  |
      | GET    | tenants.example     | /            |                   | 404 |
      | GET    | app.example         | /            | X-Canary: yes     | b3  |
      | GET    | app.example         | /            | X-Canary: yes-but | 404 |
      | GET    | app.example         | /?version=2  |                   | b4  |
      | GET    | app.example         | /?version=20 |                   | 404 |
      | GET    | elsewhere.example   | /            |                   | 404 |
