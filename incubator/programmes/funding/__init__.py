"""Programme funding: the grants admitted start-ups receive, the claims that draw on them
(milestone reports and 1:1 matching claims with evidence), their review by two staff, the
payment batches finance exports, and the quarterly progress reports."""
