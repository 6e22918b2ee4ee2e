-- +goose Up
-- Twin of the SQLite 00100: the company's own selection criteria, versioned.
-- The company's own selection criteria, versioned: every change an admin
-- makes to the factors or weights is a new version of the whole set, and
-- each scoring keeps the version it was made under, so old scorings are
-- read with the factors and weights they were scored on. Version 0 is the
-- book's 19 factors at equal weights; it is built in and never stored.
CREATE TABLE criteria_sets (
    team_id    TEXT COLLATE "C" NOT NULL,
    version    BIGINT NOT NULL CHECK (version >= 1),
    last_id    BIGINT NOT NULL, -- highest factor ID the workspace has used, retired ones included
    created_by TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (team_id, version)
);

CREATE TABLE criteria_factors (
    team_id   TEXT COLLATE "C" NOT NULL,
    version   BIGINT NOT NULL,
    position  BIGINT NOT NULL, -- order on the card and in the form
    factor_id BIGINT NOT NULL, -- kept by a rename: scores follow it across versions
    factor    TEXT COLLATE "C" NOT NULL, -- the key people type
    axis      TEXT COLLATE "C" NOT NULL CHECK (axis IN ('attractiveness', 'strength')),
    label     TEXT COLLATE "C" NOT NULL,
    weight    DOUBLE PRECISION NOT NULL CHECK (weight >= 0 AND weight <= 10),
    PRIMARY KEY (team_id, version, factor)
);

ALTER TABLE scorings ADD COLUMN criteria_version BIGINT NOT NULL DEFAULT 0;

-- A workspace that had changed its weights gets version 1: the book's
-- factors with those weights, and its scorings are assigned it (they were
-- read under those weights until now). Others keep version 0.
WITH book (id, factor, axis, label) AS (VALUES
    (1, 'size', 'attractiveness', 'Size'),
    (2, 'growth', 'attractiveness', 'Growth potential'),
    (3, 'stability', 'attractiveness', 'Financial stability'),
    (4, 'access', 'attractiveness', 'Ease of access'),
    (5, 'closeness', 'attractiveness', 'Closeness of relationship'),
    (6, 'fit', 'attractiveness', 'Strategic fit'),
    (7, 'adopter', 'attractiveness', 'Early adopter'),
    (8, 'value', 'attractiveness', 'Values our offer'),
    (9, 'competition', 'attractiveness', 'Low competition'),
    (10, 'standing', 'attractiveness', 'Market standing'),
    (11, 'price', 'strength', 'Price'),
    (12, 'service', 'strength', 'Service'),
    (13, 'people', 'strength', 'Quality of people'),
    (14, 'response', 'strength', 'Speed of response'),
    (15, 'attitude', 'strength', 'Relationships and attitudes'),
    (16, 'innovation', 'strength', 'Innovation'),
    (17, 'value-in-use', 'strength', 'Value in use'),
    (18, 'sustainability', 'strength', 'Long-term sustainability'),
    (19, 'trust', 'strength', 'Trust and confidence'))
INSERT INTO criteria_factors (team_id, version, position, factor_id, factor, axis, label, weight)
SELECT t.team_id, 1, b.id, b.id, b.factor, b.axis, b.label, coalesce(w.weight, 1)
FROM (SELECT DISTINCT team_id FROM score_weights) t
CROSS JOIN book b
LEFT JOIN score_weights w ON w.team_id = t.team_id AND w.factor = b.factor;

INSERT INTO criteria_sets (team_id, version, last_id, created_by, created_at)
SELECT team_id, 1, 19, max(updated_by), max(updated_at) FROM score_weights GROUP BY team_id;

UPDATE scorings SET criteria_version = 1 WHERE team_id IN (SELECT team_id FROM criteria_sets);

DROP TABLE score_weights;

-- +goose Down
CREATE TABLE score_weights (
    team_id    TEXT COLLATE "C" NOT NULL,
    factor     TEXT COLLATE "C" NOT NULL,
    weight     DOUBLE PRECISION NOT NULL CHECK (weight >= 0 AND weight <= 10),
    updated_by TEXT COLLATE "C" NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (team_id, factor)
);
-- The latest version's weights of the book's factors that it still has.
INSERT INTO score_weights (team_id, factor, weight, updated_by, updated_at)
SELECT f.team_id, f.factor, f.weight, s.created_by, s.created_at
FROM criteria_factors f JOIN criteria_sets s ON s.team_id = f.team_id AND s.version = f.version
WHERE f.version = (SELECT max(version) FROM criteria_sets m WHERE m.team_id = f.team_id)
  AND f.factor_id <= 19 AND f.weight <> 1;
ALTER TABLE scorings DROP COLUMN criteria_version;
DROP TABLE criteria_factors;
DROP TABLE criteria_sets;
