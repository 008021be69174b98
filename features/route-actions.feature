@l7 @routing
Feature: What a route does with a request: split it, rewrite it, redirect it, change its headers
  A route sends what it matches to one "pool", or shares it across pools by weight with "split"
  (a canary), or answers with a "redirect" itself. On the way it may "rewrite" the request: replace
  the part of the path its prefix matched ("/api/v1" to "/" sends /api/v1/x as /x, with exactly one
  slash at the join) or the whole path, and set the Host the backend sees. The query string and
  every percent-encoding survive byte for byte. A redirect's Location is the request's own URL with
  the redirect's scheme, host, port or path put in. Header rules remove, then set (replacing every
  value), then add (keeping the values already there) request headers on the way up and response
  headers on the way back.

  Here every backend has a pool of its own named after it, and requests ask for host app.example.

  @task-07 @traffic-split @id:action-canary-split-sends-pool
  Scenario: A canary split sends each pool its weight's share of the requests
    Given 3 HTTP backends
    And a balancer with an HTTP listener routing to a pool per backend like this:
      """
      { "routes": [{ "name": "canary", "match": {},
                     "split": [{ "pool": "b1", "weight": 90 }, { "pool": "b2", "weight": 10 }, { "pool": "b3", "weight": 0 }] }] }
      """
    When a client sends 1000 requests one after another
    Then the requests were shared out between the backends like this:
      | b1 | 90% |
      | b2 | 10% |
      | b3 | 0%  |

  @task-07 @rewrites @id:action-rewrite-replaces-matched-prefix
  Scenario: A rewrite replaces the matched prefix or the whole path, and the Host, keeping the query string
    Given 3 HTTP backends
    And a balancer with an HTTP listener routing to a pool per backend like this:
      """
      { "routes": [{ "name": "api", "pool": "b1", "match": { "path": { "prefix": "/api/v1" } }, "rewrite": { "prefix": "/" } },
                   { "name": "legacy", "pool": "b2", "match": { "path": { "prefix": "/legacy" } }, "rewrite": { "prefix": "/v2/compat" } },
                   { "name": "status", "pool": "b3", "match": { "path": { "exact": "/status" } },
                     "rewrite": { "path": "/internal/health", "host": "status.internal" } }] }
      """
    Then requests reach the backends like this:
      | target                    | to | received target          | received host   |
      | /api/v1/items?q=a%20b&x=  | b1 | /items?q=a%20b&x=        | app.example     |
      | /api/v1                   | b1 | /                        | app.example     |
      | /api/v1/                  | b1 | /                        | app.example     |
      | /legacy/a%2Fb/c?k=caf%C3%A9 | b2 | /v2/compat/a%2Fb/c?k=caf%C3%A9 | app.example |
      | /status?verbose           | b3 | /internal/health?verbose | status.internal |

  @task-07 @redirects @id:action-redirects-answer-own-status
  Scenario: Redirects answer with their own status and Location, keep the query string, and reach no backend
    Given 1 HTTP backend
    And a balancer with an HTTP listener routing to a pool per backend like this:
      """
      { "routes": [{ "name": "moved", "redirect": { "status": 301, "prefix": "/new" }, "match": { "path": { "prefix": "/old" } } },
                   { "name": "login", "redirect": { "status": 302, "path": "/login" }, "match": { "path": { "exact": "/signin" } } },
                   { "name": "uploads", "redirect": { "status": 307, "host": "files.example", "port": 8443 }, "match": { "path": { "prefix": "/upload" } } },
                   { "name": "secure", "redirect": { "status": 308, "scheme": "https" }, "match": { "path": { "prefix": "/account" } } }] }
      """
    Then requests are redirected like this:
      | method | target              | status | location                             |
      | GET    | /old/a/b?x=%2F      | 301    | http://app.example/new/a/b?x=%2F     |
      | GET    | /old                | 301    | http://app.example/new               |
      | GET    | /signin?next=/home  | 302    | http://app.example/login?next=/home  |
      | POST   | /upload/f?part=2    | 307    | http://files.example:8443/upload/f?part=2 |
      | PUT    | /account/me         | 308    | https://app.example/account/me       |
    And no backend received any request

  @task-07 @header-rules @id:action-route-removes-sets-adds
  Scenario: A route removes, sets and adds request and response headers
    Given 1 HTTP backend
    And backend b1 adds these headers to its answers:
      | Server-Timing | db;dur=53 |
      | X-Powered-By  | fixture   |
      | Cache-Control | private   |
    And a balancer with an HTTP listener routing to a pool per backend like this:
      """
      { "routes": [{ "name": "all", "pool": "b1", "match": {},
                     "requestHeaders": { "remove": ["Cookie"], "set": { "X-Env": "prod" }, "add": { "X-Via": "lbspec" } },
                     "responseHeaders": { "remove": ["X-Powered-By"], "set": { "Cache-Control": "no-store" }, "add": { "Server-Timing": "lb;dur=1" } } }] }
      """
    When a client sends a request with these headers:
      | Host   | app.example |
      | Cookie | session=1   |
      | X-Env  | dev         |
      | X-Via  | client      |
    Then the backend received header "X-Env" as "prod"
    And the backend received header "X-Via" as "client, lbspec"
    And the backend received none of the headers "Cookie"
    And the answer carried header "Cache-Control" as "no-store"
    And the answer carried header "Server-Timing" as "db;dur=53, lb;dur=1"
    And the answer carried none of the headers "X-Powered-By"
