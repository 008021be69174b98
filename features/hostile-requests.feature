@security @l7
Feature: Hostile requests
  A balancer stands between clients it cannot trust and backends that trust it. A request whose
  framing two parsers could read differently (Content-Length with Transfer-Encoding, two different
  Content-Lengths, a Transfer-Encoding that is not exactly "chunked", a chunk size that is not hex)
  is refused with 400 and its connection closed, so nothing reaches a backend that it could read
  otherwise (request smuggling). A malformed request line or header name, a missing, repeated or
  invalid Host, and a target that is neither a path nor an absolute URI get 400 too.
  A request line longer than the listener's maxHeaderBytes gets 414.

  Before routing, a path's dot segments are resolved ("." and "..", also written %2e) and runs of
  slashes merged, and the backend is sent that path, so no path can match one route and reach
  another's content. An absolute-form target ("GET http://host/path") is routed by its host (a
  Host header that differs may be refused) and reaches the backend as a path, with that host as Host. Every other byte of the target, the query
  string whole, is passed on as sent.

  A request with both Content-Length and Transfer-Encoding may be refused (400) or read by its
  chunks alone, but the connection is closed after the answer either way (RFC 9112 6.1), and an
  unknown transfer coding may get 501 instead of 400. A bare CR in a header line is refused or
  replaced by a space (RFC 9112 2.2). Each request here is written byte for byte: "\r\n" is CR LF.

  @task-06 @request-smuggling @id:hostile-requests-ambiguous-framing-refused
  Scenario: Requests with ambiguous framing are refused, and what they smuggle reaches no backend
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends
    Then each of these requests, followed on its connection by a smuggled request, gets its answer and then the close:
      | what                                 | answer                            | request                                                                                                  |
      | Content-Length and Transfer-Encoding | 400, or one answer by the chunks  | POST / HTTP/1.1\r\nHost: app.example\r\nContent-Length: 50\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n |
      | two different Content-Lengths        | 400                               | POST / HTTP/1.1\r\nHost: app.example\r\nContent-Length: 0\r\nContent-Length: 45\r\n\r\n                 |
      | an unknown transfer coding           | 400 or 501                        | POST / HTTP/1.1\r\nHost: app.example\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n                   |
      | chunked not the last coding          | 400 or 501                        | POST / HTTP/1.1\r\nHost: app.example\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n          |
      | a space before the colon             | 400                               | POST / HTTP/1.1\r\nHost: app.example\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n                   |
      | a chunk size that is not hex         | 400                               | POST / HTTP/1.1\r\nHost: app.example\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n                        |
      | a chunk size with a sign             | 400                               | POST / HTTP/1.1\r\nHost: app.example\r\nTransfer-Encoding: chunked\r\n\r\n+0\r\n\r\n                  |
    And no backend received the smuggled request

  @task-06 @malformed-requests @id:hostile-malformed-request-lines-host
  Scenario: Malformed request lines, Host headers and header lines are refused with 400 and reach no backend
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends
    Then each of these requests is answered 400:
      | what                        | request                                                            |
      | a space in the method       | GE T / HTTP/1.1\r\nHost: app.example\r\n\r\n                      |
      | a target that is not a path | GET admin HTTP/1.1\r\nHost: app.example\r\n\r\n                    |
      | no Host                     | GET / HTTP/1.1\r\n\r\n                                             |
      | two Host headers            | GET / HTTP/1.1\r\nHost: app.example\r\nHost: admin.example\r\n\r\n |
      | a Host with a path          | GET / HTTP/1.1\r\nHost: app.example/admin\r\n\r\n                  |
      | a Host with a space         | GET / HTTP/1.1\r\nHost: app example\r\n\r\n                        |
      | a space in a header name    | GET / HTTP/1.1\r\nHost: app.example\r\nX A: b\r\n\r\n              |
      | a space before a colon      | GET / HTTP/1.1\r\nHost: app.example\r\nX-A : b\r\n\r\n             |
    And no backend received any request
    And a header value with a bare CR in it is refused with 400, or reaches the backend with a space for the CR
    And a malformed request that follows an answered one on its connection is answered 400

  @task-06 @request-line-limit @id:hostile-request-line-over-header
  Scenario: A request line over the header limit gets 414; one within it is served
    Given 1 HTTP backend
    And a balancer with an HTTP listener using round_robin over all backends, with these client limits:
      """
      { "maxHeaderBytes": 8192 }
      """
    Then a request with a target of 16384 bytes is answered 414
    And a request with a target of 2048 bytes is answered 200

  @task-07 @path-normalisation @routing @id:hostile-dot-segments-doubled-slashes
  Scenario: Dot segments and doubled slashes are resolved before routing, so no path escapes its route
    Given 2 HTTP backends
    And a balancer with an HTTP listener routing to a pool per backend like this:
      """
      { "routes": [{ "name": "public", "pool": "b1", "match": { "path": { "prefix": "/public" } } },
                   { "name": "admin", "pool": "b2", "match": { "path": { "prefix": "/admin" } } }] }
      """
    Then requests reach the backends like this:
      | target                            | to | received target         | received host |
      | /public/../admin/users            | b2 | /admin/users            | app.example   |
      | /public/%2e%2e/admin              | b2 | /admin                  | app.example   |
      | /public/%2E./admin                | b2 | /admin                  | app.example   |
      | //admin                           | b2 | /admin                  | app.example   |
      | /public/./a//b/                   | b1 | /public/a/b/            | app.example   |
      | /admin/../../public/x             | b1 | /public/x               | app.example   |
      | /public/x/..?next=/../admin&y=%2F | b1 | /public/?next=/../admin&y=%2F | app.example   |

  @task-07 @absolute-form @routing @id:hostile-absolute-form-target-reaches-backend
  Scenario: An absolute-form target reaches the backend as a path
    Given 2 HTTP backends
    And a balancer with an HTTP listener routing to a pool per backend like this:
      """
      { "routes": [{ "name": "app", "pool": "b1", "match": { "host": "app.example" } },
                   { "name": "admin", "pool": "b2", "match": { "host": "admin.example" } }] }
      """
    Then requests reach the backends like this:
      | host          | target                            | to | received target | received host |
      | admin.example | http://admin.example/users?page=2 | b2 | /users?page=2   | admin.example |
      | admin.example | http://admin.example              | b2 | /               | admin.example |
      | app.example   | http://app.example/a/b            | b1 | /a/b            | app.example   |
