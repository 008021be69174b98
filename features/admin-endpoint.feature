@security @l7
Feature: The admin endpoint
  The admin endpoint reports the balancer's state and takes its reloads. It listens on loopback
  unless told otherwise (a bare port in "admin.address" means 127.0.0.1), and bound anywhere else
  it needs "admin.token": the balancer refuses to start without one. With a token, a request
  without "Authorization: Bearer <token>" gets 401 and nothing else. Only GET (and HEAD) is
  answered; another method gets 405. No answer shows the token.

  A reload with an invalid config is refused: the balancer reports each problem (on GET /status,
  as "lastReloadError") and keeps serving the config it had.

  @task-06 @admin-api @id:admin-token-endpoint-answers-only
  Scenario: With a token, the admin endpoint answers only requests that carry it, and only GET
    Given 1 HTTP backend
    And the balancer's admin endpoint needs the token "admin-token-for-the-suite-0001"
    And a balancer with an HTTP listener using round_robin over all backends
    Then its admin endpoint answers like this:
      | method | path     | authorisation            | status |
      | GET    | /status  | the token                | 200    |
      | GET    | /metrics | the token                | 200    |
      | GET    | /healthz | the token                | 200    |
      | GET    | /status  | none                     | 401    |
      | GET    | /status  | a wrong one              | 401    |
      | GET    | /status  | the token without Bearer | 401    |
      | POST   | /status  | none                     | 401    |
      | POST   | /status  | the token                | 405    |
      | DELETE | /status  | the token                | 405    |
      | GET    | /nothing | the token                | 404    |

  @task-15 @reload-validation @round-robin @id:admin-invalid-new-config-refused
  Scenario: An invalid new config is refused with its problem named, and the old one keeps serving
    Given 2 HTTP backends
    And a balancer with an HTTP listener using round_robin over all backends
    When the balancer is offered a new config whose listener names the pool "nowhere"
    Then it refused it, saying "/listeners/0/pool"
    And it refused it, saying "pool \"nowhere\" is not defined"
    When a client sends 10 requests one after another
    Then every request succeeded
    And each backend received exactly 5 requests
