"""The status page: updates published for people outside the incident, and the read-model that serves them."""
