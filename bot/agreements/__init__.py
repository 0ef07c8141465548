"""Remote-work agreements (distansöverenskommelser): request, policy, decision, follow-up."""
