import Foundation
import VAExprsCore

/// Lays a `Figure` out as a `Scene`: title band, a grid of panels (frame, grid lines, ticks,
/// axis titles, clipped marks) and legends in a column on the right.
enum SceneLayout {
    static let titleSize = 14.0, axisTitleSize = 11.0, tickSize = 9.0, legendSize = 10.0
    static let frameColour = Colour(red: 0x44, green: 0x44, blue: 0x44)
    static let gridColour = Colour(red: 0xeb, green: 0xeb, blue: 0xeb)

    /// Approximate advance width of `text` in a sans-serif face (for layout only).
    static func textWidth(_ text: String, size: Double) -> Double { 0.56 * size * Double(text.count) }

    static func layout(_ figure: Figure) -> Scene {
        var items: [SceneItem] = [
            .rect(
                SceneRect(x: 0, y: 0, width: figure.width, height: figure.height),
                fill: .white, stroke: nil, strokeWidth: 0, opacity: 1)
        ]
        var top = 8.0
        if let title = figure.title {
            items.append(
                .text(
                    title, x: figure.width / 2, y: top + titleSize, size: titleSize, anchor: .middle,
                    colour: .black, rotated: false, bold: true))
            top += titleSize + 12
        }
        let legendWidth =
            figure.legends.isEmpty
            ? 0
            : min(
                figure.width * 0.35,
                figure.legends.map { legend in
                    max(
                        textWidth(legend.title, size: legendSize) + 10,
                        (legend.entries.map { textWidth($0.label, size: legendSize) }.max() ?? 0) + 34)
                }.max()! + 10)
        let columns = min(figure.columns, max(1, figure.panels.count))
        let rows = (figure.panels.count + columns - 1) / max(columns, 1)
        let cellWidth = (figure.width - legendWidth) / Double(max(columns, 1))
        let cellHeight = (figure.height - top) / Double(max(rows, 1))
        for (index, panel) in figure.panels.enumerated() {
            let cell = SceneRect(
                x: Double(index % columns) * cellWidth, y: top + Double(index / columns) * cellHeight,
                width: cellWidth, height: cellHeight)
            items += layoutPanel(panel, in: cell)
        }
        if !figure.legends.isEmpty {
            var y = top + 14
            let x = figure.width - legendWidth + 6
            for legend in figure.legends {
                items.append(
                    .text(
                        legend.title, x: x, y: y, size: legendSize, anchor: .start, colour: .black, rotated: false,
                        bold: true))
                y += legendSize + 8
                for entry in legend.entries {
                    var swatch: [SceneItem]
                    if let shape = entry.shape {
                        swatch = [
                            .markers(
                                MarkerRun(
                                    x: [x + 8], y: [y - legendSize * 0.35], style: [0],
                                    styles: [
                                        PointStyle(colour: entry.colour, shape: shape, filled: entry.filled, size: 7)
                                    ],
                                    tooltips: nil, clip: nil))
                        ]
                    } else {
                        swatch = [
                            .polyline(
                                x: [x, x + 16], y: [y - legendSize * 0.35, y - legendSize * 0.35], colour: entry.colour,
                                width: 2, dash: [], clip: nil)
                        ]
                    }
                    swatch.append(
                        .text(
                            entry.label, x: x + 22, y: y, size: legendSize, anchor: .start, colour: .black,
                            rotated: false, bold: false))
                    items.append(.legendEntry(group: entry.group, items: swatch))
                    y += legendSize + 6
                }
                y += 10
            }
        }
        return Scene(width: figure.width, height: figure.height, items: items)
    }

    private static func layoutPanel(_ panel: Panel, in cell: SceneRect) -> [SceneItem] {
        let left = 16 + axisTitleSize + (panel.y.ticks.map { textWidth($0.label, size: tickSize) }.max() ?? 0)
        let bottom = 14 + tickSize + axisTitleSize + 8.0
        let topMargin = panel.title == nil ? 8.0 : 8 + axisTitleSize + 6
        let plot = SceneRect(
            x: cell.x + left, y: cell.y + topMargin,
            width: max(cell.width - left - 12, 10), height: max(cell.height - topMargin - bottom, 10))
        func px(_ v: Double) -> Double { plot.x + panel.x.fraction(v) * plot.width }
        func py(_ v: Double) -> Double { plot.y + (1 - panel.y.fraction(v)) * plot.height }
        var items: [SceneItem] = []
        if let title = panel.title {
            items.append(
                .text(
                    title, x: plot.x + plot.width / 2, y: cell.y + 8 + axisTitleSize, size: axisTitleSize,
                    anchor: .middle, colour: .black, rotated: false, bold: true))
        }
        for tick in panel.x.ticks where (panel.x.lower...panel.x.upper).contains(tick.value) {
            let x = px(tick.value)
            items.append(
                .polyline(
                    x: [x, x], y: [plot.y, plot.y + plot.height], colour: gridColour, width: 0.6, dash: [], clip: nil))
            items.append(
                .polyline(
                    x: [x, x], y: [plot.y + plot.height, plot.y + plot.height + 4], colour: frameColour, width: 0.8,
                    dash: [], clip: nil))
            items.append(
                .text(
                    tick.label, x: x, y: plot.y + plot.height + 6 + tickSize, size: tickSize, anchor: .middle,
                    colour: frameColour, rotated: false, bold: false))
        }
        for tick in panel.y.ticks where (panel.y.lower...panel.y.upper).contains(tick.value) {
            let y = py(tick.value)
            items.append(
                .polyline(
                    x: [plot.x, plot.x + plot.width], y: [y, y], colour: gridColour, width: 0.6, dash: [], clip: nil))
            items.append(
                .polyline(x: [plot.x - 4, plot.x], y: [y, y], colour: frameColour, width: 0.8, dash: [], clip: nil))
            items.append(
                .text(
                    tick.label, x: plot.x - 6, y: y + tickSize * 0.35, size: tickSize, anchor: .end,
                    colour: frameColour, rotated: false, bold: false))
        }
        items.append(
            .text(
                panel.x.title, x: plot.x + plot.width / 2, y: plot.y + plot.height + 10 + tickSize + axisTitleSize,
                size: axisTitleSize, anchor: .middle, colour: .black, rotated: false, bold: false))
        items.append(
            .text(
                panel.y.title, x: cell.x + 4 + axisTitleSize, y: plot.y + plot.height / 2, size: axisTitleSize,
                anchor: .middle, colour: .black, rotated: true, bold: false))
        for mark in panel.marks {
            switch mark {
            case .points(let p):
                items.append(
                    .markers(
                        MarkerRun(
                            x: p.x.map(px), y: p.y.map(py), style: p.style, styles: p.styles,
                            tooltips: p.tooltips, clip: plot)))
            case .line(let l):
                let line = SceneItem.polyline(
                    x: l.x.map(px), y: l.y.map(py), colour: l.colour, width: l.width, dash: l.dash, clip: plot)
                if let g = l.group { items.append(.series(group: g, items: [line])) } else { items.append(line) }
            case .rects(let r):
                for i in r.x0.indices {
                    let x0 = px(min(r.x0[i], r.x1[i])), x1 = px(max(r.x0[i], r.x1[i]))
                    let y0 = py(max(r.y0[i], r.y1[i])), y1 = py(min(r.y0[i], r.y1[i]))
                    items.append(
                        .rect(
                            SceneRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0), fill: r.colour, stroke: nil,
                            strokeWidth: 0, opacity: r.opacity))
                }
            case .text(let t):
                items.append(
                    .text(
                        t.text, x: px(t.x), y: py(t.y), size: t.size, anchor: t.anchor, colour: t.colour,
                        rotated: false, bold: false))
            }
        }
        items.append(.rect(plot, fill: nil, stroke: frameColour, strokeWidth: 0.8, opacity: 1))
        return items
    }
}
