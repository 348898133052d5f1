"""Training and policy acknowledgement campaigns: audience specs, quizzes, acknowledgements."""
