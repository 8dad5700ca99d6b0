"""The transfer queue: jobs, workers, retries, existing targets, folder trees."""
