import Foundation
import VAExprsCore

/// `html`: one self-contained page (inline SVG, a little script, nothing fetched). The figure
/// fills the window (text scales with it); the wheel zooms about the pointer, dragging pans,
/// a double click restores the view; hovering a point shows its tooltip (cell id, label,
/// origin); clicking a legend entry hides or shows its group. Spec: `html`.
package struct HTMLRenderer: Renderer {
    package let spec: ComponentSpec
    package var fileExtensions: [String] { ["html", "htm"] }

    /// The renderer.
    package init(spec: ComponentSpec) { self.spec = spec }

    package func render(_ figure: Figure) throws -> [UInt8] {
        let scene = SceneLayout.layout(figure)
        // Tooltips and the legend groups of every marker style, numbered as SVGDocument numbers them.
        var tooltips: [[String]?] = []
        var styleGroups: [[String]] = []
        func collect(_ items: [SceneItem]) {
            for item in items {
                switch item {
                case .markers(let run):
                    tooltips.append(run.tooltips)
                    styleGroups += run.styles.map(\.groups)
                case .legendEntry(_, let sub), .series(_, let sub): collect(sub)
                default: break
                }
            }
        }
        collect(scene.items)
        let data: [String: Any] = ["tooltips": tooltips.map { $0 as Any? ?? NSNull() }, "styleGroups": styleGroups]
        // Sorted keys: the same figure gives the same page, whatever the dictionary's hashing.
        let json = Self.scriptSafe(
            String(decoding: try JSONSerialization.data(withJSONObject: data, options: [.sortedKeys]), as: UTF8.self))
        var w = ByteWriter(capacity: 1 << 20)
        w.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
        w.appendEscaped(figure.title ?? "VAExprs figure")
        w.append("</title>\n<style>\nbody{margin:0;font-family:Helvetica,Arial,sans-serif;background:#fff}\n")
        w.append("svg{display:block;width:100vw;height:100vh;cursor:grab;user-select:none}\n")
        w.append("#help{position:fixed;right:8px;bottom:6px;font-size:11px;color:#777}\n")
        w.append("#tip{position:fixed;pointer-events:none;background:rgba(255,255,255,.95);border:1px solid #888;")
        w.append(
            "padding:3px 6px;font-size:12px;display:none;white-space:pre}\n.legend-entry.off{opacity:.3}\n</style>\n")
        w.append("<style id=\"hidden\"></style>\n</head>\n<body>\n")
        let svg = SVGDocument.write(scene, interactive: true)
        var page = w.bytes
        page += svg
        var tail = ByteWriter()
        tail.append(
            """
            <div id=\"tip\"></div>\n<div id=\"help\">wheel: zoom · drag: pan · double click: \
            reset</div>\n<script>\nconst data = 
            """
        )
        tail.append(json)
        tail.append(";\n")
        tail.append(
            """
            const tip = document.getElementById('tip');
            const hidden = new Set();
            document.querySelector('svg').addEventListener('mousemove', e => {
              const id = e.target.getAttribute && e.target.getAttribute('data-i');
              if (!id) { tip.style.display = 'none'; return; }
              const [run, i] = id.split(':').map(Number);
              const texts = data.tooltips[run];
              if (!texts) { tip.style.display = 'none'; return; }
              tip.textContent = texts[i];
              tip.style.left = (e.clientX + 12) + 'px';
              tip.style.top = (e.clientY + 12) + 'px';
              tip.style.display = 'block';
            });
            function refresh() {
              const rules = [];
              data.styleGroups.forEach((groups, s) => { if (groups.some(g => hidden.has(g))) rules.push('.s' + s + \
            '{display:none}'); });
              document.getElementById('hidden').textContent = rules.join('\\n');
              document.querySelectorAll('.series').forEach(el => { el.style.display = hidden.has(el.dataset.group) ? \
            'none' : ''; });
              document.querySelectorAll('.legend-entry').forEach(el => el.classList.toggle('off', \
            hidden.has(el.dataset.group)));
            }
            const svg = document.querySelector('svg');
            const home = svg.getAttribute('viewBox').split(' ').map(Number);
            let view = home.slice();
            const show = () => svg.setAttribute('viewBox', view.join(' '));
            function toFigure(e) {
              const p = svg.createSVGPoint(); p.x = e.clientX; p.y = e.clientY;
              return p.matrixTransform(svg.getScreenCTM().inverse());
            }
            svg.addEventListener('wheel', e => {
              e.preventDefault();
              const at = toFigure(e), k = Math.exp(e.deltaY * 0.0015);
              const w = Math.min(home[2] * 4, Math.max(home[2] / 50, view[2] * k)), h = w * home[3] / home[2];
              view = [at.x - (at.x - view[0]) * w / view[2], at.y - (at.y - view[1]) * h / view[3], w, h];
              show();
            }, {passive: false});
            let drag = null;
            svg.addEventListener('mousedown', e => { drag = toFigure(e); svg.style.cursor = 'grabbing'; });
            window.addEventListener('mouseup', () => { drag = null; svg.style.cursor = ''; });
            svg.addEventListener('mousemove', e => {
              if (!drag) return;
              const at = toFigure(e);
              view[0] -= at.x - drag.x; view[1] -= at.y - drag.y;
              show();
            });
            svg.addEventListener('dblclick', () => { view = home.slice(); show(); });
            document.querySelectorAll('.legend-entry').forEach(el => el.addEventListener('click', () => {
              const g = el.dataset.group;
              if (hidden.has(g)) hidden.delete(g); else hidden.add(g);
              refresh();
            }));
            </script>
            </body>
            </html>

            """)
        page += tail.bytes
        return page
    }

    /// JSON made safe inside a `<script>` element: `<`, `>` and `&` (which occur only inside JSON
    /// strings) become `\u003c`, `\u003e` and `\u0026`, so no label can close the element or
    /// open an HTML comment (`<!--<script>` would swallow the rest of the page); U+2028 and
    /// U+2029 are escaped too, being line ends to older JavaScript.
    static func scriptSafe(_ json: String) -> String {
        var out = String()
        out.reserveCapacity(json.utf8.count)
        for scalar in json.unicodeScalars {
            switch scalar {
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
