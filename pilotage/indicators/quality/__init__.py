"""Data quality of the aggregate data, in the manner of DHIS2: validation rules
(``rules``), outliers (``outliers``), completeness and timeliness (``completeness``) and
bottom-up approval (``approval``). Each module holds the reads and writes of its part;
the views call them."""
