"""The yearly follow-up of remote work in chat (``dialogue``) and the action plans' actions:
listed, marked done and moved (``action_plans``)."""
