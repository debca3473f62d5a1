import Foundation

/// The utility test's report as JSON, a terminal table, or an HTML page with a figure.
package enum UtilityReportOutput {
    /// Pretty JSON with sorted keys; non-finite numbers become null.
    package static func json(_ report: UtilityReport) throws -> [UInt8] {
        try RealismReportOutput.reportJSON(report)
    }

    static let arms = UtilityComparison.Arm.allCases

    static func cell(_ score: UtilityReport.Score?) -> String {
        guard let score, score.mean.isFinite else { return "—" }
        return score.runs.count > 1
            ? RealismReportOutput.spread(score.mean, score.sd) : RealismReportOutput.format(score.mean)
    }

    /// Rows of cells, left-aligned in columns.
    static func table(_ rows: [[String]]) -> String {
        let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { c, text in
                text.padding(toLength: widths[c], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
    }

    /// The tables of the report, as rows (header first) with a title each.
    static func tables(_ r: UtilityReport) -> [(title: String, rows: [[String]])] {
        let header = ["label", "train", "held out"] + arms.map(\.title) + ["all training cells"]
        var tables: [(String, [[String]])] = []
        if let labels = r.perLabel, !labels.isEmpty {
            var f1Rows = [header]
            for l in labels {
                f1Rows.append(
                    [l.label, "\(l.trainingCells) → \(r.kept)", "\(l.heldOutCells)"]
                        + arms.map { cell(l.f1[$0.rawValue]) } + [cell(l.ceilingF1)])
            }
            f1Rows.append(
                ["mean", "", ""] + arms.map { cell(r.perLabelMeanF1?[$0.rawValue]) }
                    + [cell(r.perLabelMeanCeilingF1)])
            tables.append(
                (
                    """
                    One label at a time keeps \(r.kept) training cells (+ \(r.added) added): held-out F1 of that \
                    label
                    """, f1Rows
                ))
            var macroRows = [header]
            for l in labels {
                macroRows.append(
                    [l.label, "\(l.trainingCells) → \(r.kept)", "\(l.heldOutCells)"]
                        + arms.map { cell(l.macroF1[$0.rawValue]) } + [cell(r.ceilingMacroF1)])
            }
            macroRows.append(
                ["mean", "", ""] + arms.map { cell(r.perLabelMeanMacroF1?[$0.rawValue]) } + [cell(r.ceilingMacroF1)])
            tables.append(("The same fits: held-out macro-F1 over all labels", macroRows))
        }
        if let capped = r.capped {
            var rows = [["label"] + arms.map(\.title) + ["all training cells"]]
            for label in capped.f1.keys.sorted() {
                rows.append([label] + arms.map { cell(capped.f1[label]?[$0.rawValue]) } + [cell(r.ceilingF1[label])])
            }
            rows.append(["macro-F1"] + arms.map { cell(capped.macroF1[$0.rawValue]) } + [cell(r.ceilingMacroF1)])
            tables.append(
                (
                    "Every label capped at \(r.kept) training cells (+ \(r.added) added each): held-out F1",
                    rows
                ))
        }
        return tables
    }

    static func preamble(_ r: UtilityReport) -> String {
        """
        Augmentation utility: \(r.repeats) repeat(s) (mean ± sd), \(Int((r.heldOutFraction * 100).rounded())) % of \
        each label held out; \(r.fits) model fits (\(r.model)) in \(String(format: "%.0f", r.seconds)) s. Classifier: \
        \(r.classifier).
        """
    }

    /// The terminal summary.
    package static func summary(_ r: UtilityReport) -> String {
        var text = preamble(r) + "\n"
        for (title, rows) in tables(r) { text += "\n" + title + "\n" + table(rows) }
        for s in r.skipped where r.perLabel != nil { text += "not reduced: \(s.label): \(s.reason)\n" }
        return text
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// The figure: per arm, the mean F1 of the reduced labels (bars, ± sd) and each label's
    /// (points), with the all-cells ceiling dashed; a second panel for the capped design's
    /// macro-F1.
    static func figure(_ r: UtilityReport) -> Figure {
        let ticks = arms.enumerated().map { Tick(value: Double($0.offset + 1), label: $0.element.title) }
        let xAxis = Axis(title: "training set", lower: 0.4, upper: Double(arms.count) + 0.6, ticks: ticks)
        let yAxis = Axis(
            title: "held-out F1", lower: 0, upper: 1,
            ticks: stride(from: 0.0, through: 1.0, by: 0.2).map { Tick(value: $0, label: String(format: "%.1f", $0)) })
        func bars(_ scores: [String: UtilityReport.Score]?, ceiling: Double?, points: [[String: UtilityReport.Score]])
            -> [Mark]
        {
            let means = arms.map { scores?[$0.rawValue]?.mean ?? .nan }
            let sds = arms.map { scores?[$0.rawValue]?.sd ?? 0 }
            let xs = arms.indices.map { Double($0 + 1) }
            let shown = xs.indices.filter { means[$0].isFinite }
            var marks: [Mark] = [
                .rects(
                    RectMark(
                        x0: shown.map { xs[$0] - 0.3 }, x1: shown.map { xs[$0] + 0.3 }, y0: shown.map { _ in 0 },
                        y1: shown.map { means[$0] }, colour: Colour.categorical(0), opacity: 0.6))
            ]
            for i in shown where sds[i] > 0 {
                marks.append(
                    .line(
                        LineMark(
                            x: [xs[i], xs[i]], y: [max(0, means[i] - sds[i]), min(1, means[i] + sds[i])],
                            colour: .grey, width: 1.5)))
            }
            var px: [Double] = [], py: [Double] = []
            for entry in points {
                for (i, arm) in arms.enumerated() {
                    if let v = entry[arm.rawValue]?.mean, v.isFinite {
                        px.append(xs[i])
                        py.append(v)
                    }
                }
            }
            if !px.isEmpty {
                marks.append(
                    .points(
                        PointMark(
                            x: px, y: py, style: px.map { _ in 0 },
                            styles: [
                                PointStyle(colour: Colour.categorical(1), filled: true, size: 4, groups: ["label"])
                            ])))
            }
            if let ceiling, ceiling.isFinite {
                marks.append(
                    .line(
                        LineMark(
                            x: [xAxis.lower, xAxis.upper], y: [ceiling, ceiling], colour: .grey, width: 1, dash: [4, 3])
                    ))
            }
            return marks
        }
        var panels: [Panel] = []
        if let labels = r.perLabel, !labels.isEmpty {
            panels.append(
                Panel(
                    title: "One label reduced to \(r.kept) cells: its F1 (bars: mean over labels; dots: each label)",
                    x: xAxis, y: yAxis,
                    marks: bars(
                        r.perLabelMeanF1, ceiling: r.perLabelMeanCeilingF1?.mean,
                        points: labels.map(\.f1))))
        }
        if let capped = r.capped {
            panels.append(
                Panel(
                    title: "Every label capped at \(r.kept) cells: macro-F1 (dots: each label's F1)", x: xAxis,
                    y: yAxis,
                    marks: bars(
                        capped.macroF1, ceiling: r.ceilingMacroF1.mean,
                        points: capped.f1.keys.sorted().map {
                            capped.f1[$0]!
                        })))
        }
        return Figure(
            title: "Does augmentation help? (dashed: every real training cell)", width: 560,
            height: 300 * Double(max(1, panels.count)), panels: panels)
    }

    /// The HTML page: the preamble, every table and the figure.
    package static func html(_ r: UtilityReport, registry: Registry) throws -> [UInt8] {
        let svg = try registry.makeRenderer(ComponentSpec(name: "svg"))
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>VAExprs augmentation utility</title>
            <style>body{font-family:Helvetica,Arial,sans-serif;margin:24px;max-width:1100px}\
            table{border-collapse:collapse;margin-bottom:16px}td,th{border-bottom:1px solid #ddd;padding:4px 10px;\
            text-align:right}td:first-child,th:first-child{text-align:left}</style>
            </head><body>
            <h1>Does augmentation help?</h1>
            <p>\(escape(preamble(r)))</p>

            """
        for (title, rows) in tables(r) {
            page += "<h2>\(escape(title))</h2>\n<table><tr>"
            page += rows[0].map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
            for row in rows.dropFirst() {
                page += "<tr>" + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n"
            }
            page += "</table>\n"
        }
        for s in r.skipped where r.perLabel != nil {
            page += "<p>Not reduced: \(escape(s.label)): \(escape(s.reason))</p>\n"
        }
        var bytes = Array(page.utf8)
        if !(r.perLabel ?? []).isEmpty || r.capped != nil {
            bytes += Array("<div>".utf8) + (try svg.render(figure(r))) + Array("</div>\n".utf8)
        }
        bytes += Array("</body></html>\n".utf8)
        return bytes
    }
}
