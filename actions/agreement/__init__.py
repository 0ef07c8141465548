"""The remote-work agreement: the employee's request and the manager's decision."""
