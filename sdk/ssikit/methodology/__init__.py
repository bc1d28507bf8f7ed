"""The SSI index methodology (pure): eligibility, ranking, buffers, weights, calendar, levels."""
