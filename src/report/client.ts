/**
 * The report page's own script, as text: it reads the run's numbers from the page's JSON element
 * and draws them with uPlot (inlined before it), and makes the grid slider work. Plain ES2017 with
 * no imports, so the page runs from disk in any current browser. It builds elements with
 * `textContent`, never `innerHTML`.
 *
 * @packageDocumentation
 */

/** The page script. Reads `#report-data`; draws into every `[data-chart]` element. */
export const CLIENT_SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var COLORS = { d: '#c0392b', g: '#2471a3', real: '#1e8449', fake: '#a04000', other: '#6c3483' };
  var ALARM_COLORS = { collapse: '#d35400', divergence: '#922b21' };

  /** Debiased exponential moving average (as TensorBoard smooths), skipping missing values. */
  function ema(values, weight) {
    var out = new Array(values.length);
    var last = 0, count = 0;
    for (var i = 0; i < values.length; i++) {
      var v = values[i];
      if (v === null || v === undefined || !isFinite(v)) { out[i] = null; continue; }
      last = last * weight + (1 - weight) * v;
      count++;
      out[i] = weight === 0 ? v : last / (1 - Math.pow(weight, count));
    }
    return out;
  }

  function alpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }

  /** Draws a dashed vertical line at each alarm's step. */
  function alarmPlugin() {
    return {
      hooks: {
        draw: [function (u) {
          var ctx = u.ctx;
          ctx.save();
          ctx.setLineDash([6, 4]);
          ctx.lineWidth = 2;
          data.alarms.forEach(function (a) {
            var x = u.valToPos(a.step, 'x', true);
            if (!(x >= u.bbox.left && x <= u.bbox.left + u.bbox.width)) return;
            ctx.strokeStyle = ALARM_COLORS[a.alarm] || '#000';
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
          });
          ctx.restore();
        }],
      },
    };
  }

  var charts = [];
  function width(el) { return Math.max(280, Math.min(el.clientWidth || 600, 1100)); }

  function chart(id, opts, columns) {
    var el = document.querySelector('[data-chart="' + id + '"]');
    if (!el) return null;
    opts.width = width(el);
    opts.height = opts.height || 240;
    opts.scales = opts.scales || {};
    opts.scales.x = { time: false };
    opts.plugins = [alarmPlugin()];
    opts.axes = opts.axes || [{ label: 'step' }, {}];
    var u = new uPlot(opts, columns, el);
    charts.push({ el: el, u: u });
    return u;
  }

  function raw(label, color, scale) {
    return { label: label + ' (raw)', stroke: alpha(color, 0.25), width: 1, scale: scale || 'y', points: { show: false } };
  }
  function smooth(label, color, scale) {
    // uPlot's default points: drawn where the points are sparse (a run of a few logged steps).
    return { label: label, stroke: color, width: 2, scale: scale || 'y' };
  }

  var s = data.steps;
  var smoothed = [];
  /** A chart of step series: each series drawn faint as logged, and smoothed on top. */
  function stepChart(id, series, opts) {
    if (!s.step.length) return;
    var columns = [s.step];
    var defs = [{ label: 'step' }];
    series.forEach(function (d) {
      columns.push(s[d.key]);
      defs.push(raw(d.label, d.color, d.scale));
    });
    series.forEach(function (d) {
      columns.push(s[d.key]);
      defs.push(smooth(d.label, d.color, d.scale));
    });
    opts.series = defs;
    var u = chart(id, opts, columns);
    if (u) smoothed.push({ u: u, series: series, columns: columns });
  }

  function resmooth(weight) {
    smoothed.forEach(function (c) {
      var cols = c.columns.slice();
      c.series.forEach(function (d, i) { cols[1 + c.series.length + i] = ema(s[d.key], weight); });
      c.u.setData(cols);
    });
  }

  stepChart('losses', [
    { key: 'dLoss', label: 'D loss', color: COLORS.d },
    { key: 'gLoss', label: 'G loss', color: COLORS.g },
  ], {});
  stepChart('d-outputs', [
    { key: 'dReal', label: 'D(x)', color: COLORS.real },
    { key: 'dFake', label: 'D(G(z))', color: COLORS.fake },
  ], { scales: { y: { range: [0, 1] } } });
  stepChart('speed', [{ key: 'stepsPerSecond', label: 'steps/s', color: COLORS.g }], {});
  stepChart('memory', [
    { key: 'numTensors', label: 'tensors', color: COLORS.other },
    { key: 'rssMB', label: 'RSS (MiB)', color: COLORS.real, scale: 'mb' },
  ], { axes: [{ label: 'step' }, { label: 'tensors' }, { label: 'MiB', scale: 'mb', side: 1, grid: { show: false } }] });

  var e = data.evaluations;
  function evalChart(id, key, label, color) {
    if (!e.step.length || !e[key].some(function (v) { return v !== null; })) return;
    var point = { show: true, size: 6 };
    chart(id, { height: 200, series: [{ label: 'step' }, { label: label, stroke: color, width: 2, points: point }] }, [e.step, e[key]]);
  }
  evalChart('classifier-score', 'classifierScore', 'classifier score', COLORS.real);
  evalChart('frechet', 'frechetDistance', 'Fréchet distance', COLORS.d);
  evalChart('histogram-kl', 'histogramKl', 'class histogram KL (nats)', COLORS.other);
  if (e.step.length && e.kid.some(function (v) { return v !== null; })) {
    var hi = e.kid.map(function (v, i) { var se = e.kidStdError[i]; return v === null || se === null ? null : v + se; });
    var lo = e.kid.map(function (v, i) { var se = e.kidStdError[i]; return v === null || se === null ? null : v - se; });
    var band = alpha(COLORS.g, 0.4);
    chart('kid', {
      height: 200,
      series: [
        { label: 'step' },
        { label: 'KID', stroke: COLORS.g, width: 2, points: { show: true, size: 6 } },
        { label: 'KID + s.e.', stroke: band, width: 1, points: { show: false } },
        { label: 'KID − s.e.', stroke: band, width: 1, points: { show: false } },
      ],
      bands: [{ series: [2, 3], fill: alpha(COLORS.g, 0.15) }],
    }, [e.step, e.kid, hi, lo]);
  }

  var slider = document.getElementById('smoothing');
  if (slider) {
    var shown = document.getElementById('smoothing-value');
    var apply = function () { var w = Number(slider.value); shown.textContent = w.toFixed(3); resmooth(w); };
    slider.addEventListener('input', apply);
    apply();
  }

  window.addEventListener('resize', function () {
    charts.forEach(function (c) { c.u.setSize({ width: width(c.el), height: c.u.height }); });
  });

  var thumbs = Array.prototype.slice.call(document.querySelectorAll('.thumb'));
  var gridSlider = document.getElementById('grid-slider');
  var viewer = document.getElementById('grid-viewer');
  var caption = document.getElementById('grid-viewer-caption');
  function show(i) {
    var t = thumbs[i];
    if (!t || !viewer) return;
    viewer.src = t.querySelector('img').src;
    caption.textContent = t.getAttribute('data-label');
    thumbs.forEach(function (x, j) { x.classList.toggle('current', j === i); });
    if (gridSlider) gridSlider.value = String(i);
  }
  thumbs.forEach(function (t, i) { t.addEventListener('click', function () { show(i); }); });
  if (gridSlider) gridSlider.addEventListener('input', function () { show(Number(gridSlider.value)); });

  document.documentElement.setAttribute('data-charts', String(charts.length));
})();
`;
