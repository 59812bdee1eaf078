/* The public map of `siting publish`: everything is computed here, in the browser, from data/*.json.
 *
 * - distances: the WGS84 geodesic (Vincenty's inverse formula, millimetre-exact), i.e. the straight
 *   line over the ground, never a road distance;
 * - "served": the nearest ACTIVE office of a type lies within that type's service radius (the rules);
 * - "in a gap": inside the province and served by no active office of that type; the gap part named
 *   is the published (simplified) polygon holding the spot;
 * - search: the query is folded with the table siting.text.match_key exported (data/meta.json "fold"),
 *   then compared with the keys computed by match_key in Python.
 * No request leaves the site's own server unless a basemap URL was published.
 */
(function () {
  "use strict";

  var T = {
    fa: {
      title: "نقشهٔ دفاتر پیشخوان دولت و ICT روستایی خراسان جنوبی",
      switch: "English",
      search_label: "جستجوی شهر یا روستا",
      search_none: "نامی پیدا نشد.",
      gaps_of: "مناطق فاقد دفتر برای",
      click_hint: "روی هر نقطهٔ نقشه کلیک کنید (یا شهر و روستایی را جستجو کنید) تا ببینید آیا دفتری به آنجا خدمت می‌دهد.",
      steps_title: "مراحل کار متقاضی پروانهٔ جدید",
      steps_intro: "برگرفته از راهنمای متقاضیان اداره کل ارتباطات و فناوری اطلاعات استان: پس از انتخاب مکان از میان مناطق فاقد دفتر، درخواست کتبی با نشانی مکان را به اداره کل بفرستید.",
      offices_title: "دفاتر موجود",
      footer: "فاصله‌ها مستقیم (خط راست روی زمین) هستند، نه مسیر جاده‌ای. این نقشه نظر اداره کل دربارهٔ یک محل نیست: بررسی کامل محل پیشنهادی با همهٔ ضوابط را اداره کل انجام می‌دهد.",
      legend_sep: "، ", q1: "«", q2: "»",
      legend_active: "فعال", legend_other: "غیرفعال، تعلیق یا در دست بررسی", legend_gap: "منطقهٔ فاقد دفتر",
      legend_settlement: "شهر و روستا",
      point: function (lat, lon) { return "نقطهٔ انتخاب‌شده: عرض " + num(lat, 5) + "، طول " + num(lon, 5); },
      outside: "این نقطه بیرون از محدودهٔ استان است؛ این نقشه فقط استان را نشان می‌دهد.",
      served: function (lbl, r, name, d) { return "دفتر " + lbl + ": بله، به این نقطه خدمت می‌شود — نزدیک‌ترین دفتر فعال، «" + name + "»، در فاصلهٔ مستقیم " + d + " است (شعاع خدمت " + r + ")."; },
      not_served: function (lbl, r, name, d) { return "دفتر " + lbl + ": خیر، هیچ دفتر فعالی تا شعاع " + r + " به این نقطه خدمت نمی‌دهد — نزدیک‌ترین دفتر فعال، «" + name + "»، در فاصلهٔ مستقیم " + d + " است."; },
      no_office: function (lbl) { return "دفتر " + lbl + ": خیر، هیچ دفتر فعالی از این نوع ثبت نشده است."; },
      in_gap: function (lbl) { return "این نقطه در منطقهٔ فاقد دفتر " + lbl + " است."; },
      gap_part: function (rank, c, pop) { return " (منطقهٔ شمارهٔ " + num(rank) + (c ? " در شهرستان " + c : "") + "؛ جمعیت بدون پوشش: " + num(pop) + " نفر)"; },
      not_gap: function (lbl) { return "این نقطه در منطقهٔ فاقد دفتر " + lbl + " نیست."; },
      nearest: "نزدیک‌ترین دفاتر فعال (فاصلهٔ مستقیم):",
      next_gap: function (lbls) { return "گام بعد: اگر می‌خواهید اینجا دفتر " + lbls + " دایر کنید، اصول حاکم و تعهدنامه را بخوانید و درخواست کتبی با نشانی این مکان را به اداره کل بفرستید (راهنمای متقاضیان، بندهای ۴ و ۵)."; },
      next_served: "گام بعد: دفترهای موجود به این نقطه خدمت می‌دهند؛ درخواست دفتر تازه برای مناطق فاقد دفتر بررسی می‌شود (راهنمای متقاضیان، بند ۴). یکی از مناطق رنگی نقشه را انتخاب کنید.",
      steps_link: "مراحل کار را ببینید",
      or: " و ",
      km: " کیلومتر", m: " متر", people: " نفر",
      selected: function (s) { return "انتخاب‌شده: " + s.name + " (" + label(s.kind) + (s.county ? "، شهرستان " + s.county : "") + ")"; },
      only: function (lbl) { return "(فقط " + lbl + ")"; },
      by: "انجام‌دهنده: ", guide: "راهنما: ",
      th_name: "نام", th_type: "نوع", th_status: "وضعیت"
    },
    en: {
      title: "Pishkhan and rural ICT offices of South Khorasan",
      switch: "فارسی",
      search_label: "Find a town or village",
      search_none: "No such name.",
      gaps_of: "Areas without an office for",
      click_hint: "Click anywhere on the map (or find a town or village) to see whether an office serves it.",
      steps_title: "What an applicant for a new licence does",
      steps_intro: "From the applicant guide of the provincial ICT directorate: choose a site among the areas without an office, then send the written request with its address to the directorate.",
      offices_title: "Existing offices",
      footer: "Distances are straight-line (over the ground), not by road. This map is not the directorate's opinion on a site: the directorate checks a proposed site against every rule.",
      legend_sep: ", ", q1: "“", q2: "”",
      legend_active: "active", legend_other: "inactive, suspended or pending", legend_gap: "area without an office",
      legend_settlement: "towns and villages",
      point: function (lat, lon) { return "Selected point: latitude " + num(lat, 5) + ", longitude " + num(lon, 5); },
      outside: "This point lies outside the province; this map covers the province only.",
      served: function (lbl, r, name, d) { return lbl + " office: yes, this point is served — the nearest active office, “" + name + "”, is " + d + " away in a straight line (service radius " + r + ")."; },
      not_served: function (lbl, r, name, d) { return lbl + " office: no, no active office serves this point within " + r + " — the nearest active office, “" + name + "”, is " + d + " away in a straight line."; },
      no_office: function (lbl) { return lbl + " office: no, there is no active office of this type."; },
      in_gap: function (lbl) { return "This point lies in an area with no " + lbl + " office."; },
      gap_part: function (rank, c, pop) { return " (area no. " + num(rank) + (c ? " in " + county(c) + " county" : "") + "; population without service: " + num(pop) + ")"; },
      not_gap: function (lbl) { return "This point does not lie in an area with no " + lbl + " office."; },
      nearest: "Nearest active offices (straight line):",
      next_gap: function (lbls) { return "Next step: to open a " + lbls + " office here, read the governing principles and the commitment form, then send the written request with this site's address to the directorate (applicant guide, items 4 and 5)."; },
      next_served: "Next step: existing offices serve this point; new offices are considered for the areas without one (applicant guide, item 4). Choose one of the coloured areas on the map.",
      steps_link: "See the steps",
      or: " and ",
      km: " km", m: " m", people: "",
      selected: function (s) { return "Selected: " + (s.name_en || s.name) + " (" + label(s.kind) + (s.county ? ", " + county(s.county) + " county" : "") + ")"; },
      only: function (lbl) { return "(" + lbl + " only)"; },
      by: "by: ", guide: "guide: ",
      th_name: "name", th_type: "type", th_status: "status"
    }
  };
  var TYPES = ["urban", "rural"];
  var COLOURS = { urban: "#1f5fbf", rural: "#2a9d3f" };
  var lang = document.documentElement.lang === "en" ? "en" : "fa";
  var D = {};  // meta, region, offices, settlements, gaps
  var map, gapLayers = {}, spotLayer = null, lastSpot = null, selected = null, searchOpen = false;

  function tr(key) { return T[lang][key]; }
  function label(key) { return (lang === "fa" ? D.meta.labels_fa : D.meta.labels_en)[key] || key; }
  function typeLabel(t) { return label(t); }
  /* A county's name in the page's language (the counties layer's name_en in English, when known). */
  function county(name) {
    if (!name || lang === "fa") { return name; }
    var f = D.region.features.filter(function (x) { return x.properties.layer === "county" && x.properties.name === name; })[0];
    return (f && f.properties.name_en) || name;
  }

  /* Numbers: ASCII digits in English, Persian digits (٫ decimal, ٬ thousands) in Persian. */
  function num(value, decimals) {
    var s = decimals === undefined ? Math.round(value).toLocaleString("en-US")
      : Number(value).toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals, useGrouping: false });
    if (lang !== "fa") { return s; }
    return s.replace(/[0-9.,]/g, function (c) {
      return c === "." ? "٫" : c === "," ? "٬" : "۰۱۲۳۴۵۶۷۸۹".charAt(+c);
    });
  }
  /* A distance as shown: metres (to 10 m) under 1 km, else kilometres to 0.1 km. */
  function dist(m) {
    if (m < 1000) { return num(Math.round(m / 10) * 10) + tr("m"); }
    return num(m / 1000, 1) + tr("km");
  }
  function radius(m) { return m % 1000 === 0 ? num(m / 1000) + tr("km") : dist(m); }

  /* WGS84 geodesic distance in metres (Vincenty 1975, inverse); haversine if it does not converge. */
  function geodesic(lat1, lon1, lat2, lon2) {
    var a = 6378137, f = 1 / 298.257223563, b = a * (1 - f), rad = Math.PI / 180;
    var L = (lon2 - lon1) * rad, U1 = Math.atan((1 - f) * Math.tan(lat1 * rad)), U2 = Math.atan((1 - f) * Math.tan(lat2 * rad));
    var sinU1 = Math.sin(U1), cosU1 = Math.cos(U1), sinU2 = Math.sin(U2), cosU2 = Math.cos(U2);
    var lambda = L, iter = 0, sinL, cosL, sinS, cosS, sigma, sinA, cos2A, cos2Sm, C, prev;
    do {
      sinL = Math.sin(lambda); cosL = Math.cos(lambda);
      sinS = Math.sqrt(Math.pow(cosU2 * sinL, 2) + Math.pow(cosU1 * sinU2 - sinU1 * cosU2 * cosL, 2));
      if (sinS === 0) { return 0; }
      cosS = sinU1 * sinU2 + cosU1 * cosU2 * cosL;
      sigma = Math.atan2(sinS, cosS);
      sinA = cosU1 * cosU2 * sinL / sinS;
      cos2A = 1 - sinA * sinA;
      cos2Sm = cos2A !== 0 ? cosS - 2 * sinU1 * sinU2 / cos2A : 0;
      C = f / 16 * cos2A * (4 + f * (4 - 3 * cos2A));
      prev = lambda;
      lambda = L + (1 - C) * f * sinA * (sigma + C * sinS * (cos2Sm + C * cosS * (-1 + 2 * cos2Sm * cos2Sm)));
    } while (Math.abs(lambda - prev) > 1e-12 && ++iter < 200);
    if (iter >= 200) {
      var dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
      var h = Math.pow(Math.sin(dlat / 2), 2) + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.pow(Math.sin(dlon / 2), 2);
      return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
    }
    var u2 = cos2A * (a * a - b * b) / (b * b);
    var A = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
    var B = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
    var dS = B * sinS * (cos2Sm + B / 4 * (cosS * (-1 + 2 * cos2Sm * cos2Sm) - B / 6 * cos2Sm * (-3 + 4 * sinS * sinS) * (-3 + 4 * cos2Sm * cos2Sm)));
    return b * A * (sigma - dS);
  }

  /* Point in a GeoJSON Polygon / MultiPolygon (even-odd over every ring, so holes are outside). */
  function inRings(lon, lat, rings) {
    var inside = false;
    rings.forEach(function (ring) {
      for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
        if ((yi > lat) !== (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi) { inside = !inside; }
      }
    });
    return inside;
  }
  function inGeometry(lon, lat, g) {
    if (!g) { return false; }
    if (g.type === "Polygon") { return inRings(lon, lat, g.coordinates); }
    if (g.type === "MultiPolygon") { return g.coordinates.some(function (p) { return inRings(lon, lat, p); }); }
    return false;
  }

  /* The visitor's text folded as siting.text.match_key folds names (table exported from Python). */
  function fold(text) {
    var t = String(text).normalize("NFKC"), out = "";
    for (var ch of t) { out += Object.prototype.hasOwnProperty.call(D.meta.fold, ch) ? D.meta.fold[ch] : ch; }
    out = out.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
    return out.replace(/[^\p{L}\p{N}]/gu, "");
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  /* What the page says about a spot: served per type, gap per type, nearest offices, next step. */
  function assess(lat, lon) {
    var region = D.region.features.filter(function (f) { return f.properties.layer === "region"; });
    var inRegion = region.length === 0 || region.some(function (f) { return inGeometry(lon, lat, f.geometry); });
    var active = D.offices.filter(function (o) { return o.status === "active"; }).map(function (o) {
      return { o: o, d: geodesic(lat, lon, o.lat, o.lon) };
    }).sort(function (a, b) { return a.d - b.d; });
    var types = {};
    TYPES.forEach(function (t) {
      var near = active.filter(function (x) { return x.o.type === t; })[0] || null;
      var r = D.meta.radius_m[t];
      var served = near !== null && near.d <= r;
      var part = null;
      if (inRegion && !served) {
        part = D.gaps.features.filter(function (f) {
          return f.properties.licence_type === t && inGeometry(lon, lat, f.geometry);
        })[0] || null;
      }
      types[t] = { nearest: near, radius: r, served: served, gap: inRegion && !served, part: part };
    });
    return { lat: lat, lon: lon, inRegion: inRegion, types: types, nearest: active.slice(0, 3) };
  }

  function renderAnswer() {
    var box = document.getElementById("answer");
    box.textContent = "";
    if (!lastSpot) { box.appendChild(el("p", {}, tr("click_hint"))); return; }
    var a = assess(lastSpot.lat, lastSpot.lon);
    box.appendChild(el("p", { id: "answer-point" }, tr("point")(a.lat, a.lon)));
    if (!a.inRegion) { box.appendChild(el("p", { id: "answer-outside", "class": "no" }, tr("outside"))); }
    TYPES.forEach(function (t) {
      var x = a.types[t], lbl = typeLabel(t), text;
      if (!x.nearest) { text = tr("no_office")(lbl); }
      else if (x.served) { text = tr("served")(lbl, radius(x.radius), x.nearest.o.name, dist(x.nearest.d)); }
      else { text = tr("not_served")(lbl, radius(x.radius), x.nearest.o.name, dist(x.nearest.d)); }
      box.appendChild(el("p", { id: "answer-" + t, "class": x.served ? "yes" : "no",
        "data-distance-m": x.nearest ? x.nearest.d.toFixed(1) : "" }, text));
    });
    if (a.inRegion) {
      TYPES.forEach(function (t) {
        var x = a.types[t], lbl = typeLabel(t), text;
        if (x.gap) {
          text = tr("in_gap")(lbl);
          if (x.part) {
            var p = x.part.properties;
            text = text.replace(/[.]$/, "") + tr("gap_part")(p.rank, p.county, p.uncovered_population) + ".";
          }
        } else { text = tr("not_gap")(lbl); }
        box.appendChild(el("p", { id: "gap-" + t, "class": x.gap ? "no" : "yes" }, text));
      });
    }
    if (a.nearest.length) {
      box.appendChild(el("p", {}, tr("nearest")));
      var ul = el("ul", { id: "answer-nearest" });
      a.nearest.forEach(function (x) {
        ul.appendChild(el("li", {}, tr("q1") + x.o.name + tr("q2") + " (" + typeLabel(x.o.type) + ") — " + dist(x.d)));
      });
      box.appendChild(ul);
    }
    if (a.inRegion) {
      var gapTypes = TYPES.filter(function (t) { return a.types[t].gap; }).map(typeLabel);
      var next = el("p", { id: "answer-next" }, gapTypes.length ? tr("next_gap")(gapTypes.join(tr("or"))) : tr("next_served"));
      next.appendChild(document.createTextNode(" "));
      next.appendChild(el("a", { href: "#steps" }, tr("steps_link")));
      box.appendChild(next);
    }
  }

  function answerAt(lat, lon) {
    lastSpot = { lat: lat, lon: lon };
    if (spotLayer) { spotLayer.setLatLng([lat, lon]); }
    else { spotLayer = L.circleMarker([lat, lon], { radius: 7, color: "#000", weight: 3, fill: false, interactive: false }).addTo(map); }
    renderAnswer();
  }

  /* --- search ------------------------------------------------------------------------------- */
  function matches(q) {
    var key = fold(q);
    if (!key) { return []; }
    var hits = D.settlements.filter(function (s) { return s.key.indexOf(key) >= 0 || s.key_en.indexOf(key) >= 0; });
    hits.sort(function (a, b) {
      var pa = a.key.indexOf(key) === 0 || a.key_en.indexOf(key) === 0 ? 0 : 1;
      var pb = b.key.indexOf(key) === 0 || b.key_en.indexOf(key) === 0 ? 0 : 1;
      return pa - pb || (a.key === key ? -1 : 0) - (b.key === key ? -1 : 0) || (b.population || 0) - (a.population || 0);
    });
    return hits.slice(0, 10);
  }
  function renderResults() {
    var ul = document.getElementById("search-results"), q = document.getElementById("search").value;
    ul.textContent = "";
    if (!searchOpen || !fold(q)) { return; }
    var hits = matches(q);
    if (!hits.length) { ul.appendChild(el("li", { "class": "none" }, tr("search_none"))); return; }
    hits.forEach(function (s) {
      var b = el("button", { type: "button" }, (lang === "fa" ? s.name : s.name_en || s.name) + " — " + label(s.kind) + (s.county ? tr("legend_sep") + county(s.county) : ""));
      b.addEventListener("click", function () { select(s); });
      var li = el("li"); li.appendChild(b); ul.appendChild(li);
    });
  }
  function renderSelected() {
    document.getElementById("selected").textContent = selected ? tr("selected")(selected) : "";
    if (selected && !searchOpen) {
      document.getElementById("search").value = lang === "fa" ? selected.name : selected.name_en || selected.name;
    }
  }
  function select(s) {
    selected = s;
    searchOpen = false;
    document.getElementById("search-results").textContent = "";
    renderSelected();
    map.setView([s.lat, s.lon], Math.max(map.getZoom(), 10), { animate: false });
    answerAt(s.lat, s.lon);
  }

  /* --- static sections ---------------------------------------------------------------------- */
  function renderLegend() {
    var box = document.getElementById("legend");
    box.textContent = "";
    TYPES.forEach(function (t) {
      var p = el("p");
      var sw = el("span", { "class": "sw", style: "background:" + COLOURS[t] });
      p.appendChild(sw);
      p.appendChild(document.createTextNode(typeLabel(t) + ": " + tr("legend_active") + " ●" + tr("legend_sep") + tr("legend_other") + " ○"));
      box.appendChild(p);
    });
    var g = el("p"); g.appendChild(el("span", { "class": "sw gapsw" }));
    g.appendChild(document.createTextNode(tr("legend_gap"))); box.appendChild(g);
  }
  function renderSteps() {
    var box = document.getElementById("steps-list"), phase = null, ol = null;
    box.textContent = "";
    D.meta.steps.forEach(function (s) {
      if (s.phase !== phase) {
        phase = s.phase;
        box.appendChild(el("h3", {}, lang === "fa" ? s.phase_fa : s.phase_en));
        ol = el("ol"); box.appendChild(ol);
      }
      var li = el("li", { id: "step-" + s.id }, lang === "fa" ? s.fa : s.en);
      if (s.licence_types) {
        li.appendChild(el("span", { "class": "only" }, " " + tr("only")(s.licence_types.map(typeLabel).join(tr("or")))));
      }
      li.appendChild(el("div", { "class": "only" }, tr("by") + (lang === "fa" ? s.actor_fa : s.actor_en) +
        (s.guide ? " · " + tr("guide") + s.guide : "")));
      ol.appendChild(li);
    });
  }
  function renderOffices() {
    var box = document.getElementById("offices-list");
    box.textContent = "";
    var table = el("table"), head = el("tr");
    ["th_name", "th_type", "th_status"].forEach(function (k) { head.appendChild(el("th", {}, tr(k))); });
    table.appendChild(head);
    TYPES.forEach(function (t) {
      D.offices.filter(function (o) { return o.type === t; }).forEach(function (o) {
        var tr_ = el("tr");
        [o.name, typeLabel(o.type), label(o.status)].forEach(function (v) { tr_.appendChild(el("td", {}, v)); });
        table.appendChild(tr_);
      });
    });
    box.appendChild(table);
  }
  function setLang(l) {
    lang = l;
    document.documentElement.lang = l;
    document.documentElement.dir = l === "fa" ? "rtl" : "ltr";
    document.querySelectorAll("[data-t]").forEach(function (e) {
      var k = e.getAttribute("data-t");
      e.textContent = k.indexOf("type_") === 0 ? typeLabel(k.slice(5)) : tr(k);
    });
    document.title = tr("title") + (D.meta.sample ? " — SAMPLE" : "");
    renderLegend(); renderSteps(); renderOffices(); renderSelected(); renderResults(); renderAnswer();
  }

  /* --- the map ------------------------------------------------------------------------------ */
  function showGaps(t) {
    TYPES.forEach(function (x) { if (map.hasLayer(gapLayers[x])) { map.removeLayer(gapLayers[x]); } });
    gapLayers[t].addTo(map);
  }
  function buildMap() {
    map = L.map("map", { preferCanvas: true, zoomSnap: 0.25 });
    var b = D.meta.bounds;  // the view first: the canvas renderer needs it before any layer is added
    if (b) { map.fitBounds([[b[1], b[0]], [b[3], b[2]]]); } else { map.setView([32.8, 59.2], 7); }
    if (D.meta.basemap_url) {
      L.tileLayer(D.meta.basemap_url, { maxZoom: 18, attribution: new URL(D.meta.basemap_url.replace(/[{}]/g, "")).host }).addTo(map);
    }
    L.geoJSON(D.region, {
      interactive: false,
      style: function (f) {
        return f.properties.layer === "region" ? { color: "#114b5f", weight: 2.5, fill: true, fillColor: "#ffffff", fillOpacity: 0.6 }
          : { color: "#7a8b99", weight: 1, fill: false };
      }
    }).addTo(map);
    TYPES.forEach(function (t) {
      gapLayers[t] = L.geoJSON({ type: "FeatureCollection", features: D.gaps.features.filter(function (f) { return f.properties.licence_type === t; }) },
        { interactive: false, style: { color: "#d62828", weight: 1, fillColor: "#d62828", fillOpacity: 0.28 } });
    });
    D.settlements.forEach(function (s) {
      L.circleMarker([s.lat, s.lon], { radius: s.kind === "city" ? 3 : 1.5, color: "#555", weight: 1, fillOpacity: 0.8, interactive: false }).addTo(map);
    });
    D.offices.forEach(function (o) {
      var active = o.status === "active";
      L.circleMarker([o.lat, o.lon], { radius: 6, color: COLOURS[o.type] || "#333", weight: 2, fill: active, fillOpacity: 0.9, dashArray: active ? null : "2 2" })
        .bindTooltip(function () {  // a text node: a name is never read as markup
          return document.createTextNode(o.name + " — " + typeLabel(o.type) + " (" + label(o.status) + ")");
        })
        .addTo(map);
    });
    map.on("click", function (e) { answerAt(e.latlng.lat, e.latlng.lng); });
    var checked = document.querySelector("input[name=gaptype]:checked");
    showGaps(checked ? checked.value : "rural");
    document.querySelectorAll("input[name=gaptype]").forEach(function (r) {
      r.addEventListener("change", function () { showGaps(r.value); });
    });
  }

  function getJSON(path) {
    return fetch(path, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(path + ": HTTP " + r.status); }
      return r.json();
    });
  }

  Promise.all(["meta.json", "region.geojson", "offices.json", "settlements.json", "gaps.geojson"].map(function (f) {
    return getJSON("data/" + f);
  })).then(function (parts) {
    D = { meta: parts[0], region: parts[1], offices: parts[2], settlements: parts[3], gaps: parts[4] };
    buildMap();
    document.getElementById("lang-switch").addEventListener("click", function () { setLang(lang === "fa" ? "en" : "fa"); });
    document.getElementById("search").addEventListener("input", function () { searchOpen = true; renderResults(); });
    document.getElementById("search-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var hits = matches(document.getElementById("search").value);
      if (hits.length) { select(hits[0]); }
    });
    setLang(lang);
    window.siting = { map: map, data: D, fold: fold, geodesic: geodesic, answerAt: answerAt,
      lastSpot: function () { return lastSpot; } };
    document.body.setAttribute("data-ready", "1");
  }).catch(function (err) {
    document.getElementById("answer").textContent = "The map's data could not be loaded / داده‌های نقشه بارگیری نشد: " + err.message;
    document.body.setAttribute("data-ready", "error");
  });
})();
