'use strict';
// The hazard map (issue 5): region boundaries uploaded as GeoJSON (PUT,
// replace, DELETE, each refusal a 422 naming the problem, scope 404), the
// demo county's synthetic boundaries, GET /map and GET /hazards/map (scope,
// unit officers, filters, overdue as the list derives it), and the tile
// server option with its Content-Security-Policy. Runs on both backends.

const { test, assert, assertStatus, cli, cliRun, COUNTY } = require('./lib');

const TOWN = '511621101000'; // 九龙镇, the demo user "town"
const OTHER_TOWN = '511621102000';
const VILLAGE = '511621101001';

async function token(db, username) {
    const r = await cli(['token', 'create', '--db', db, '--username', username]);
    return r.stdout.trim();
}

// Rounded as the server writes coordinates back (12 significant digits).
function square(lng, lat, d = 0.01) {
    const r = (x) => Math.round(x * 1e6) / 1e6;
    return [[lng, lat], [r(lng + d), lat], [r(lng + d), r(lat + d)], [lng, r(lat + d)], [lng, lat]];
}

function put(s, code, body, tok) {
    return s.api('PUT', `/api/v1/regions/${code}/boundary`, { token: tok || s.token, body });
}

// Even-odd ray casting over every ring of a Polygon or MultiPolygon.
function inside(geom, lng, lat) {
    const polys = geom.type === 'Polygon' ? [geom.coordinates] : geom.coordinates;
    let hit = false;
    for (const rings of polys)
        for (const ring of rings)
            for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
                const [xi, yi] = ring[i];
                const [xj, yj] = ring[j];
                if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) hit = !hit;
            }
    return hit;
}

test('map: boundaries are uploaded, replaced and deleted; every bad upload is a 422 naming the problem', { timeout: 120000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token });
    const town = await token(c.db, 'town');
    const village = await token(c.db, 'village');

    // A bare Polygon: created (201), stored as one Feature with code and name.
    let r = await put(s, VILLAGE, { type: 'Polygon', coordinates: [square(106.25, 30.4)] });
    assertStatus(r, 201, 'PUT a new boundary');
    assert.strictEqual(r.json.replaced, false);
    assert.strictEqual(r.json.positions, 5);
    assert.deepStrictEqual(r.json.bbox, [106.25, 30.4, 106.26, 30.41]);
    r = await s.admin('GET', `/api/v1/regions/${VILLAGE}/boundary`);
    assertStatus(r, 200, 'GET the boundary');
    assert.strictEqual(r.json.type, 'Feature');
    assert.strictEqual(r.json.properties.code, VILLAGE);
    assert.ok(r.json.properties.name, 'the region name is a property');
    assert.deepStrictEqual(r.json.geometry, { type: 'Polygon', coordinates: [square(106.25, 30.4)] });

    // A FeatureCollection of two polygons replaces it as one MultiPolygon;
    // altitudes are dropped.
    const fc = {
        type: 'FeatureCollection',
        features: [
            { type: 'Feature', properties: { x: 1 }, geometry: { type: 'Polygon', coordinates: [square(106.3, 30.5).map(([x, y]) => [x, y, 300])] } },
            { type: 'Feature', properties: {}, geometry: { type: 'MultiPolygon', coordinates: [[square(106.32, 30.5)]] } },
        ],
    };
    r = await put(s, VILLAGE, fc);
    assertStatus(r, 200, 'PUT replaces');
    assert.strictEqual(r.json.replaced, true);
    assert.strictEqual(r.json.positions, 10);
    r = await s.admin('GET', `/api/v1/regions/${VILLAGE}/boundary`);
    assert.strictEqual(r.json.geometry.type, 'MultiPolygon');
    assert.deepStrictEqual(r.json.geometry.coordinates, [[square(106.3, 30.5)], [square(106.32, 30.5)]]);
    assert.ok(!('x' in r.json.properties), 'the upload\'s own properties are not kept');

    // A .geojson file from the UI (multipart) is accepted as well.
    const form = new FormData();
    form.append('file', new Blob([JSON.stringify({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [square(106.27, 30.42)] } })], { type: 'application/geo+json' }), 'village.geojson');
    const fr = await fetch(`${s.url}/api/v1/regions/${VILLAGE}/boundary`, { method: 'PUT', headers: { Authorization: `Bearer ${s.token}` }, body: form });
    assert.strictEqual(fr.status, 200, 'multipart upload: ' + (await fr.text()));

    // Each refusal names what is wrong, in the field "geojson".
    const bad = [
        ['not JSON', '{"type": "Polygon", ', /JSON/],
        ['not an object', '[1, 2]', /GeoJSON/],
        ['a Point', { type: 'Point', coordinates: [106.3, 30.5] }, /Point/],
        ['a LineString feature', { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'LineString', coordinates: [[106, 30], [107, 31]] } }] }, /LineString/],
        ['an empty collection', { type: 'FeatureCollection', features: [] }, /features/],
        ['a ring that is not closed', { type: 'Polygon', coordinates: [square(106.3, 30.5).slice(0, 4).concat([[106.3, 30.6]])] }, /未闭合/],
        ['a ring of three positions', { type: 'Polygon', coordinates: [[[106.3, 30.5], [106.4, 30.5], [106.3, 30.5]]] }, /至少需要 4 个/],
        ['a longitude out of range', { type: 'Polygon', coordinates: [[[186.3, 30.5], [106.4, 30.5], [106.4, 30.6], [186.3, 30.5]]] }, /经度/],
        ['a latitude out of range', { type: 'Polygon', coordinates: [[[106.3, -95], [106.4, 30.5], [106.4, 30.6], [106.3, -95]]] }, /纬度/],
        ['a position that is not a pair', { type: 'Polygon', coordinates: [[[106.3], [106.4, 30.5], [106.4, 30.6], [106.3]]] }, /经度, 纬度/],
        ['no coordinates', { type: 'Polygon' }, /coordinates/],
    ];
    for (const [what, body, re] of bad) {
        r = await put(s, VILLAGE, body);
        assertStatus(r, 422, what);
        assert.ok(r.json.error.fields && r.json.error.fields.geojson, `${what}: fields.geojson`);
        assert.match(r.json.error.fields.geojson, re, what);
        assert.match(r.json.error.message, re, `${what}: the message says it too`);
    }
    // Too many positions: 200,001 in one ring.
    const big = [];
    for (let i = 0; i < 200000; i++) big.push([106 + (i % 1000) / 1e4, 30 + Math.floor(i / 1000) / 1e4]);
    big.push(big[0]);
    r = await put(s, VILLAGE, { type: 'Polygon', coordinates: [big] });
    assertStatus(r, 422, 'too many positions');
    assert.match(r.json.error.message, /过多.*200000/);
    // The refused uploads left the last good boundary in place.
    r = await s.admin('GET', `/api/v1/regions/${VILLAGE}/boundary`);
    assert.deepStrictEqual(r.json.geometry.coordinates, [square(106.27, 30.42)]);

    // Scope and permission: a township admin writes its own subtree only.
    const own = { type: 'Polygon', coordinates: [square(106.25, 30.4, 0.05)] };
    assertStatus(await put(s, COUNTY, own, town), 404, 'town PUTs the county');
    assertStatus(await put(s, OTHER_TOWN, own, town), 404, 'town PUTs another township');
    assertStatus(await s.api('DELETE', `/api/v1/regions/${OTHER_TOWN}/boundary`, { token: town }), 404, 'town DELETEs another township\'s');
    assertStatus(await s.api('GET', `/api/v1/regions/${OTHER_TOWN}/boundary`, { token: town }), 404, 'town GETs another township\'s');
    assertStatus(await put(s, VILLAGE, own, village), 403, 'a village worker may not write regions');
    assertStatus(await put(s, '511621101999', own, town), 404, 'a region that does not exist');
    r = await put(s, TOWN, own, town);
    assertStatus(r, 200, 'town replaces its own township\'s demo boundary');
    assert.strictEqual(r.json.updated_by, 'town');

    // DELETE: 204, then 404; each write is in the audit log.
    assertStatus(await s.admin('DELETE', `/api/v1/regions/${VILLAGE}/boundary`), 204, 'DELETE');
    assertStatus(await s.admin('DELETE', `/api/v1/regions/${VILLAGE}/boundary`), 404, 'DELETE again');
    assertStatus(await s.admin('GET', `/api/v1/regions/${VILLAGE}/boundary`), 404, 'GET after DELETE');
    r = await s.admin('GET', `/api/v1/audit?entity=region_boundaries&entity_id=${VILLAGE}&page_size=50`);
    assertStatus(r, 200, 'audit');
    const actions = r.json.items.map((e) => e.action).sort();
    assert.deepStrictEqual(actions, ['create', 'delete', 'update', 'update'], JSON.stringify(actions));
});

test('map: GET /map gives the region and its children\'s boundaries; hazards on the map are scoped and overdue as listed', { timeout: 120000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--today', '2025-11-20'] });
    const county = await token(c.db, 'county');
    const town = await token(c.db, 'town');

    // The demo county ships synthetic boundaries: itself and 12 townships.
    let r = await s.api('GET', `/api/v1/map?region=${COUNTY}`, { token: county });
    assertStatus(r, 200, 'GET /map');
    assert.strictEqual(r.json.region, COUNTY);
    assert.strictEqual(r.json.tile_url, null);
    assert.strictEqual(r.json.attribution, null);
    assert.strictEqual(r.json.boundaries.type, 'FeatureCollection');
    const feats = r.json.boundaries.features;
    const levels = feats.map((f) => f.properties.level);
    assert.strictEqual(levels.filter((l) => l === 'county').length, 1);
    assert.ok(levels.filter((l) => l === 'township').length >= 12, JSON.stringify(levels));
    for (const f of feats) assert.ok(f.properties.code && f.properties.name, JSON.stringify(f.properties));
    const [w, so, e, n] = r.json.bbox;
    assert.ok(w < 106.44 && e > 106.44 && so < 30.54 && n > 30.54, `bbox ${r.json.bbox} around 岳池县`);
    const townGeom = Object.fromEntries(feats.map((f) => [f.properties.code, f.geometry]));

    // A township admin: its township (no village has a boundary yet), not the county.
    r = await s.api('GET', '/api/v1/map', { token: town });
    assertStatus(r, 200, 'town GET /map (default region)');
    assert.deepStrictEqual(r.json.boundaries.features.map((f) => f.properties.code), [TOWN]);
    assertStatus(await s.api('GET', `/api/v1/map?region=${COUNTY}`, { token: town }), 404, 'town asks for the county');
    assertStatus(await s.api('GET', `/api/v1/map?region=${OTHER_TOWN}`, { token: town }), 404, 'town asks for another township');
    assertStatus(await s.api('GET', '/api/v1/map?region=12', { token: town }), 400, 'not a region code');
    // A village boundary appears among the township's children.
    assertStatus(await put(s, VILLAGE, { type: 'Polygon', coordinates: [square(106.25, 30.4)] }), 201, 'PUT village');
    r = await s.api('GET', `/api/v1/map?region=${TOWN}`, { token: town });
    assert.deepStrictEqual(r.json.boundaries.features.map((f) => [f.properties.code, f.properties.level]), [[TOWN, 'township'], [VILLAGE, 'village']]);

    // Every demo hazard has coordinates inside its township's polygon.
    r = await s.api('GET', `/api/v1/hazards/map?region=${COUNTY}`, { token: county });
    assertStatus(r, 200, 'GET /hazards/map');
    const all = r.json.items;
    assert.strictEqual(r.json.total, all.length);
    assert.strictEqual(r.json.truncated, false);
    assert.ok(all.length >= 200, `${all.length} points`);
    for (const h of all) {
        const t = h.region.slice(0, 9) + '000';
        assert.ok(inside(townGeom[t], h.lng, h.lat), `hazard ${h.id} (${h.lng}, ${h.lat}) inside ${t}`);
        for (const k of ['id', 'title', 'state', 'grade', 'domain', 'lat', 'lng', 'overdue', 'supervised', 'region']) assert.ok(k in h, `item has ${k}`);
    }

    // Overdue on the map is the list's overdue, item by item.
    const list = await s.api('GET', `/api/v1/hazards?region=${COUNTY}&page_size=500`, { token: county });
    assertStatus(list, 200, 'list');
    const listed = new Map(list.json.items.map((h) => [h.id, h.overdue]));
    let nOver = 0;
    for (const h of all) {
        assert.strictEqual(h.overdue, listed.get(h.id), `hazard ${h.id} overdue`);
        if (h.overdue) nOver++;
    }
    assert.ok(nOver > 0 && nOver < all.length, `${nOver} of ${all.length} overdue`);
    r = await s.api('GET', `/api/v1/hazards/map?region=${COUNTY}&overdue=true`, { token: county });
    assert.deepStrictEqual(r.json.items.map((h) => h.id), all.filter((h) => h.overdue).map((h) => h.id), 'overdue=true');
    r = await s.api('GET', `/api/v1/hazards/map?region=${COUNTY}&overdue=false`, { token: county });
    assert.deepStrictEqual(r.json.items.map((h) => h.id), all.filter((h) => !h.overdue).map((h) => h.id), 'overdue=false');
    assert.strictEqual(r.json.total + nOver, all.length, 'overdue=false and overdue=true partition the map');
    r = await s.api('GET', `/api/v1/hazards/map?region=${COUNTY}&overdue=false&state=closed`, { token: county });
    assert.deepStrictEqual(r.json.items.map((h) => h.id), all.filter((h) => !h.overdue && h.state === 'closed').map((h) => h.id), 'overdue=false&state=closed');
    r = await s.api('GET', `/api/v1/hazards/map?region=${COUNTY}&grade=major&supervised=true`, { token: county });
    assert.deepStrictEqual(r.json.items.map((h) => h.id), all.filter((h) => h.grade === 'major' && h.supervised).map((h) => h.id), 'grade & supervised');
    r = await s.api('GET', `/api/v1/hazards/map?region=${COUNTY}&domain=fire`, { token: county });
    assert.deepStrictEqual(r.json.items.map((h) => h.id), all.filter((h) => h.domain === 'fire').map((h) => h.id), 'domain');
    assertStatus(await s.api('GET', `/api/v1/hazards/map?state=lost`, { token: county }), 400, 'unknown state');
    assertStatus(await s.api('GET', `/api/v1/hazards/map?overdue=yes`, { token: county }), 400, 'overdue=yes');
    assertStatus(await s.api('GET', `/api/v1/hazards/map?colour=red`, { token: county }), 400, 'unknown parameter');

    // Another --today moves overdue with it, without touching the data.
    await s.stop();
    const later = await ctx.serverWith({ db: c.db, token: c.token, args: ['--today', '2028-06-01'] });
    r = await later.api('GET', `/api/v1/hazards/map?region=${COUNTY}&overdue=true`, { token: county });
    assert.strictEqual(r.json.total, all.filter((h) => h.state !== 'closed' && h.state !== 'reported' && h.state !== 'awaiting_acceptance').length, 'in 2028 every hazard with a running deadline, not waiting for acceptance, is overdue');

    // A township admin sees its subtree only; a hazard without coordinates is not drawn.
    r = await later.api('GET', '/api/v1/hazards/map', { token: town });
    assertStatus(r, 200, 'town /hazards/map');
    assert.ok(r.json.items.length > 0);
    assert.ok(r.json.items.every((h) => h.region.startsWith('511621101')), 'only 九龙镇');
    assert.deepStrictEqual(r.json.items.map((h) => h.id), all.filter((h) => h.region.startsWith('511621101')).map((h) => h.id));
    assertStatus(await later.api('GET', `/api/v1/hazards/map?region=${COUNTY}`, { token: town }), 404, 'town asks for the county\'s hazards');
    const nocoord = await later.admin('POST', '/api/v1/hazards', { body: { region: VILLAGE, title: '没有坐标的隐患', domain: 'fire', grade: 'general', found_at: '2026-12-01' } });
    assertStatus(nocoord, 201, 'POST hazard without coordinates');
    const withcoord = await later.admin('POST', '/api/v1/hazards', { body: { region: VILLAGE, title: '有坐标的隐患', domain: 'fire', grade: 'general', found_at: '2026-12-01', lat: 30.41, lng: 106.26 } });
    assertStatus(withcoord, 201, 'POST hazard with coordinates');
    r = await later.api('GET', '/api/v1/hazards/map', { token: town });
    const ids = r.json.items.map((h) => h.id);
    assert.ok(!ids.includes(nocoord.json.id) && ids.includes(withcoord.json.id), 'only hazards with coordinates');

    // A unit officer: the hazards of its unit only.
    const some = all.find((h) => h.region.startsWith('511621101'));
    const full = await later.admin('GET', `/api/v1/hazards/${some.id}`);
    const unitId = full.json.unit_id;
    const officer = await later.createUser('map-officer', 'unit_officer', some.region.slice(0, 9) + '000');
    await cli(['user', 'set', '--db', c.db, '--username', 'map-officer', '--unit', String(unitId)]);
    r = await later.api('GET', '/api/v1/hazards/map', { token: officer });
    assertStatus(r, 200, 'officer /hazards/map');
    const mine = await later.admin('GET', `/api/v1/hazards?unit_id=${unitId}&page_size=500`);
    assert.deepStrictEqual(r.json.items.map((h) => h.id).sort((a, b) => a - b), mine.json.items.filter((h) => h.lat != null).map((h) => h.id).sort((a, b) => a - b));
    assert.ok(r.json.items.length >= 1 && r.json.items.length < 20);
    // Reviewers do not read hazards: 403 on the map too.
    const reviewer = await later.createUser('map-reviewer', 'reviewer', TOWN);
    assertStatus(await later.api('GET', '/api/v1/hazards/map', { token: reviewer }), 403, 'reviewer');
    assertStatus(await later.api('GET', '/api/v1/map', { token: reviewer }), 200, 'reviewer reads regions');
});

test('map: --tile-url becomes the base layer and the UI\'s Content-Security-Policy allows its origin', { timeout: 90000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    let s = await ctx.serverWith({ db: c.db, token: c.token });
    let page = await s.api('GET', '/');
    assert.ok(!/tile/.test(page.headers['content-security-policy'] || ''), 'no tile origin by default');
    await s.stop();

    const url = 'https://{s}.tiles.example.org:8443/osm/{z}/{x}/{y}.png';
    s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--tile-url', url, '--tile-attribution', '© 县自然资源局'] });
    const r = await s.admin('GET', `/api/v1/map?region=${COUNTY}`);
    assertStatus(r, 200, 'GET /map');
    assert.strictEqual(r.json.tile_url, url);
    assert.strictEqual(r.json.attribution, '© 县自然资源局');
    page = await s.api('GET', '/');
    const csp = page.headers['content-security-policy'];
    assert.match(csp, /img-src 'self' data: blob: https:\/\/\*\.tiles\.example\.org:8443;/, csp);
    assert.match(csp, /default-src 'self'/);
    const api = await s.admin('GET', '/api/v1/map');
    assert.strictEqual(api.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'", 'the API keeps its own policy');
    await s.stop();

    // The environment works too; a LAN server over plain http.
    s = await ctx.serverWith({ db: c.db, token: c.token, env: { SAFECOMM_TILE_URL: 'http://10.1.2.3:8080/{z}/{x}/{y}.png' } });
    assert.strictEqual((await s.admin('GET', '/api/v1/map')).json.tile_url, 'http://10.1.2.3:8080/{z}/{x}/{y}.png');
    assert.match((await s.api('GET', '/')).headers['content-security-policy'], /img-src 'self' data: blob: http:\/\/10\.1\.2\.3:8080;/);
    await s.stop();

    // Refused at start-up (usage error, exit 2), naming the problem.
    for (const [bad, re] of [
        ['ftp://tiles.example.org/{z}/{x}/{y}.png', /http/],
        ['https://tiles.example.org/{z}/{x}.png', /\{y\}/],
        ["https://tiles.example.org/{z}/{x}/{y}.png; script-src *", /不允许的字符/],
        ['https://ti{z}les.example.org/{x}/{y}.png', /主机名/],
    ]) {
        const x = await cliRun(['serve', '--db', c.db, '--listen', '127.0.0.1:1', '--tile-url', bad]);
        assert.strictEqual(x.code, 2, `${bad}: exit ${x.code} ${x.stderr}`);
        assert.match(x.stderr, re, bad);
    }
});
