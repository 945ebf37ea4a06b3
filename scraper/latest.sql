CREATE VIEW crawls AS
    SELECT crawl_id, started_at
    FROM read_json('datasets/*/crawl.json', columns = {crawl_id: 'VARCHAR', started_at: 'VARCHAR'});
CREATE VIEW latest_articles AS
    SELECT a.* FROM read_parquet('datasets/*/articles/*.parquet', union_by_name = true) a
    JOIN crawls USING (crawl_id)
    QUALIFY row_number() OVER (PARTITION BY article_id ORDER BY started_at DESC) = 1;
CREATE VIEW latest_comments AS
    SELECT c.* FROM read_parquet('datasets/*/comments/*.parquet', union_by_name = true) c
    JOIN crawls USING (crawl_id)
    QUALIFY row_number() OVER (PARTITION BY article_id, comment_id ORDER BY started_at DESC) = 1;
CREATE VIEW latest_pages AS
    SELECT p.* FROM read_parquet('datasets/*/pages/*.parquet', union_by_name = true) p
    JOIN crawls USING (crawl_id)
    QUALIFY row_number() OVER (PARTITION BY url ORDER BY started_at DESC) = 1;
