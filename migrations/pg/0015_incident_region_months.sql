-- Issue 13, the county's statistics: one row per region and month with a
-- column per incident kind (and the totals, the 较大及以上 count, deaths,
-- injured and loss), about 4,000 rows for 200,000 incidents over two years
-- where incidents_by_month has 24,000 (one per kind and grade). The
-- figures of the incidents section read it; the breakdowns by kind and
-- grade still read incidents_by_month. It is kept from incidents_by_month
-- by triggers on that table (whose own triggers follow the raw rows), so it
-- changes exactly when it does; `safecomm check` compares it with the raw
-- rows. Its name sorts after incidents_by_month's, so migrate-data copies
-- it after (see 0013).

CREATE TABLE incidents_by_region_month (
    region TEXT NOT NULL REFERENCES regions(code),
    month TEXT NOT NULL,
    n BIGINT NOT NULL DEFAULT 0,
    larger BIGINT NOT NULL DEFAULT 0,
    deaths BIGINT NOT NULL DEFAULT 0,
    injured BIGINT NOT NULL DEFAULT 0,
    loss DOUBLE PRECISION NOT NULL DEFAULT 0,
    n_road_traffic BIGINT NOT NULL DEFAULT 0,
    n_water_traffic BIGINT NOT NULL DEFAULT 0,
    n_fire BIGINT NOT NULL DEFAULT 0,
    n_production BIGINT NOT NULL DEFAULT 0,
    n_construction BIGINT NOT NULL DEFAULT 0,
    n_rural_power BIGINT NOT NULL DEFAULT 0,
    n_farm_machinery BIGINT NOT NULL DEFAULT 0,
    n_special_equipment BIGINT NOT NULL DEFAULT 0,
    n_drowning BIGINT NOT NULL DEFAULT 0,
    n_geological BIGINT NOT NULL DEFAULT 0,
    n_food_poisoning BIGINT NOT NULL DEFAULT 0,
    n_public_security BIGINT NOT NULL DEFAULT 0,
    n_student_injury BIGINT NOT NULL DEFAULT 0,
    n_home_injury BIGINT NOT NULL DEFAULT 0,
    n_other BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (region, month)
);

CREATE FUNCTION incidents_by_region_month_agg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO incidents_by_region_month AS a (region, month, n, larger, deaths, injured, loss, n_road_traffic, n_water_traffic, n_fire, n_production, n_construction, n_rural_power, n_farm_machinery, n_special_equipment, n_drowning, n_geological, n_food_poisoning, n_public_security, n_student_injury, n_home_injury, n_other)
            VALUES (OLD.region, OLD.month,
                    -OLD.n,
                    CASE WHEN OLD.grade IN ('larger', 'major', 'especially_major') THEN -OLD.n ELSE 0 END,
                    -OLD.deaths,
                    -OLD.injured,
                    -OLD.loss,
                    CASE WHEN OLD.kind = 'road_traffic' THEN -OLD.n ELSE 0 END,
                    CASE WHEN OLD.kind = 'water_traffic' THEN -OLD.n ELSE 0 END,
                    CASE WHEN OLD.kind = 'fire' THEN -OLD.n ELSE 0 END,
                    CASE WHEN OLD.kind = 'production' THEN -OLD.n ELSE 0 END,
                    CASE WHEN OLD.kind = 'construction' THEN -OLD.n ELSE 0 END,
                    CASE WHEN OLD.kind = 'rural_power' THEN -OLD.n ELSE 0 END,
                    CASE WHEN OLD.kind = 'farm_machinery' THEN -OLD.n ELSE 0 END,
                    CASE WHEN OLD.kind = 'special_equipment' THEN -OLD.n ELSE 0 END,
                    CASE WHEN OLD.kind = 'drowning' THEN -OLD.n ELSE 0 END,
                    CASE WHEN OLD.kind = 'geological' THEN -OLD.n ELSE 0 END,
                    CASE WHEN OLD.kind = 'food_poisoning' THEN -OLD.n ELSE 0 END,
                    CASE WHEN OLD.kind = 'public_security' THEN -OLD.n ELSE 0 END,
                    CASE WHEN OLD.kind = 'student_injury' THEN -OLD.n ELSE 0 END,
                    CASE WHEN OLD.kind = 'home_injury' THEN -OLD.n ELSE 0 END,
                    CASE WHEN OLD.kind = 'other' THEN -OLD.n ELSE 0 END)
            ON CONFLICT (region, month) DO UPDATE SET n = a.n + excluded.n, larger = a.larger + excluded.larger, deaths = a.deaths + excluded.deaths, injured = a.injured + excluded.injured, loss = a.loss + excluded.loss, n_road_traffic = a.n_road_traffic + excluded.n_road_traffic, n_water_traffic = a.n_water_traffic + excluded.n_water_traffic, n_fire = a.n_fire + excluded.n_fire, n_production = a.n_production + excluded.n_production, n_construction = a.n_construction + excluded.n_construction, n_rural_power = a.n_rural_power + excluded.n_rural_power, n_farm_machinery = a.n_farm_machinery + excluded.n_farm_machinery, n_special_equipment = a.n_special_equipment + excluded.n_special_equipment, n_drowning = a.n_drowning + excluded.n_drowning, n_geological = a.n_geological + excluded.n_geological, n_food_poisoning = a.n_food_poisoning + excluded.n_food_poisoning, n_public_security = a.n_public_security + excluded.n_public_security, n_student_injury = a.n_student_injury + excluded.n_student_injury, n_home_injury = a.n_home_injury + excluded.n_home_injury, n_other = a.n_other + excluded.n_other;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO incidents_by_region_month AS a (region, month, n, larger, deaths, injured, loss, n_road_traffic, n_water_traffic, n_fire, n_production, n_construction, n_rural_power, n_farm_machinery, n_special_equipment, n_drowning, n_geological, n_food_poisoning, n_public_security, n_student_injury, n_home_injury, n_other)
            VALUES (NEW.region, NEW.month,
                    NEW.n,
                    CASE WHEN NEW.grade IN ('larger', 'major', 'especially_major') THEN NEW.n ELSE 0 END,
                    NEW.deaths,
                    NEW.injured,
                    NEW.loss,
                    CASE WHEN NEW.kind = 'road_traffic' THEN NEW.n ELSE 0 END,
                    CASE WHEN NEW.kind = 'water_traffic' THEN NEW.n ELSE 0 END,
                    CASE WHEN NEW.kind = 'fire' THEN NEW.n ELSE 0 END,
                    CASE WHEN NEW.kind = 'production' THEN NEW.n ELSE 0 END,
                    CASE WHEN NEW.kind = 'construction' THEN NEW.n ELSE 0 END,
                    CASE WHEN NEW.kind = 'rural_power' THEN NEW.n ELSE 0 END,
                    CASE WHEN NEW.kind = 'farm_machinery' THEN NEW.n ELSE 0 END,
                    CASE WHEN NEW.kind = 'special_equipment' THEN NEW.n ELSE 0 END,
                    CASE WHEN NEW.kind = 'drowning' THEN NEW.n ELSE 0 END,
                    CASE WHEN NEW.kind = 'geological' THEN NEW.n ELSE 0 END,
                    CASE WHEN NEW.kind = 'food_poisoning' THEN NEW.n ELSE 0 END,
                    CASE WHEN NEW.kind = 'public_security' THEN NEW.n ELSE 0 END,
                    CASE WHEN NEW.kind = 'student_injury' THEN NEW.n ELSE 0 END,
                    CASE WHEN NEW.kind = 'home_injury' THEN NEW.n ELSE 0 END,
                    CASE WHEN NEW.kind = 'other' THEN NEW.n ELSE 0 END)
            ON CONFLICT (region, month) DO UPDATE SET n = a.n + excluded.n, larger = a.larger + excluded.larger, deaths = a.deaths + excluded.deaths, injured = a.injured + excluded.injured, loss = a.loss + excluded.loss, n_road_traffic = a.n_road_traffic + excluded.n_road_traffic, n_water_traffic = a.n_water_traffic + excluded.n_water_traffic, n_fire = a.n_fire + excluded.n_fire, n_production = a.n_production + excluded.n_production, n_construction = a.n_construction + excluded.n_construction, n_rural_power = a.n_rural_power + excluded.n_rural_power, n_farm_machinery = a.n_farm_machinery + excluded.n_farm_machinery, n_special_equipment = a.n_special_equipment + excluded.n_special_equipment, n_drowning = a.n_drowning + excluded.n_drowning, n_geological = a.n_geological + excluded.n_geological, n_food_poisoning = a.n_food_poisoning + excluded.n_food_poisoning, n_public_security = a.n_public_security + excluded.n_public_security, n_student_injury = a.n_student_injury + excluded.n_student_injury, n_home_injury = a.n_home_injury + excluded.n_home_injury, n_other = a.n_other + excluded.n_other;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER incidents_by_region_month_agg AFTER INSERT OR UPDATE OR DELETE ON incidents_by_month
    FOR EACH ROW EXECUTE FUNCTION incidents_by_region_month_agg();

INSERT INTO incidents_by_region_month (region, month, n, larger, deaths, injured, loss, n_road_traffic, n_water_traffic, n_fire, n_production, n_construction, n_rural_power, n_farm_machinery, n_special_equipment, n_drowning, n_geological, n_food_poisoning, n_public_security, n_student_injury, n_home_injury, n_other)
SELECT region, month, SUM(n), SUM(CASE WHEN grade IN ('larger', 'major', 'especially_major') THEN n ELSE 0 END), SUM(deaths), SUM(injured), SUM(loss),
       SUM(CASE WHEN kind = 'road_traffic' THEN n ELSE 0 END),
       SUM(CASE WHEN kind = 'water_traffic' THEN n ELSE 0 END),
       SUM(CASE WHEN kind = 'fire' THEN n ELSE 0 END),
       SUM(CASE WHEN kind = 'production' THEN n ELSE 0 END),
       SUM(CASE WHEN kind = 'construction' THEN n ELSE 0 END),
       SUM(CASE WHEN kind = 'rural_power' THEN n ELSE 0 END),
       SUM(CASE WHEN kind = 'farm_machinery' THEN n ELSE 0 END),
       SUM(CASE WHEN kind = 'special_equipment' THEN n ELSE 0 END),
       SUM(CASE WHEN kind = 'drowning' THEN n ELSE 0 END),
       SUM(CASE WHEN kind = 'geological' THEN n ELSE 0 END),
       SUM(CASE WHEN kind = 'food_poisoning' THEN n ELSE 0 END),
       SUM(CASE WHEN kind = 'public_security' THEN n ELSE 0 END),
       SUM(CASE WHEN kind = 'student_injury' THEN n ELSE 0 END),
       SUM(CASE WHEN kind = 'home_injury' THEN n ELSE 0 END),
       SUM(CASE WHEN kind = 'other' THEN n ELSE 0 END)
FROM incidents_by_month GROUP BY region, month;
