@task-06 @l7 @tls @tls-upstream @round-robin
Feature: TLS to the backends
  A pool with "tls" speaks TLS to its backends: the balancer sends "serverName" as SNI and checks
  each backend's certificate against the pool's CA certificates and that name, trusting nothing
  else. A backend whose certificate does not verify is a backend that cannot be connected to: its
  requests get 502 (retries are off here), and none of them reaches it.

  The backends here serve HTTPS with a certificate for localhost and 127.0.0.1 from the run's CA;
  one may be made to serve another name's certificate, or an expired one, before the balancer
  starts (so no connection made before can hide it).

  @id:tls-upstream-verified-with-sni
  Scenario: Requests reach the backends over TLS, with the pool's server name
    Given 2 HTTPS backends
    And a balancer with an HTTP listener using round_robin over all backends, speaking TLS to them as "localhost"
    When a client sends 6 requests one after another
    Then every request succeeded
    And every backend received its requests over TLS, with server name "localhost"

  @bad-gateway @id:tls-upstream-wrong-name-502
  Scenario: A backend whose certificate is for another name gets its requests a 502
    Given 2 HTTPS backends
    And backend b2 serves a certificate for "elsewhere.test", from the run's CA
    And a balancer with an HTTP listener using round_robin over all backends, speaking TLS to them as "localhost"
    When a client sends 6 requests one after another
    Then exactly 3 requests were answered with status 502
    And backend b2 received no requests

  @bad-gateway @id:tls-upstream-expired-502
  Scenario: A backend whose certificate has expired gets its requests a 502
    Given 2 HTTPS backends
    And backend b2 serves an expired certificate for localhost, from the run's CA
    And a balancer with an HTTP listener using round_robin over all backends, speaking TLS to them as "localhost"
    When a client sends 6 requests one after another
    Then exactly 3 requests were answered with status 502
    And backend b2 received no requests
