@random @task-13
Feature: Random
  A pool using random picks a backend uniformly at random for each request, ignoring weights. It is
  graded with task 13, randomized selection. Uniformity is checked statistically: the bounds come
  from the sample size and a false-failure probability of 1e-6 per check.

  @l7 @id:random-requests-spread-uniformly-over
  Scenario: Requests are spread uniformly over the backends
    The requests are as many as it takes to catch a backend drawn a quarter of the time instead of a
    third, missed with probability 1e-6 (2,884 for three backends).

    Given 3 HTTP backends
    And a balancer with an HTTP listener using random over all backends
    When 4 clients send between them at the same time the requests it takes to tell a share of 1/4 from a fair one
    Then every request succeeded
    And the requests were spread uniformly over the backends
