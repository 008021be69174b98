@random @task-13
Feature: Random
  A pool using random picks a backend uniformly at random for each request, ignoring weights. It is
  graded with task 13, randomized selection. Uniformity is checked statistically: the bounds come
  from the sample size and a false-failure probability of 1e-6 per check.

  @l7 @id:random-requests-spread-uniformly-over
  Scenario: Requests are spread uniformly over the backends
    Given 3 HTTP backends
    And a balancer with an HTTP listener using random over all backends
    When 4 clients each send 1500 requests at the same time
    Then every request succeeded
    And the requests were spread uniformly over the backends
