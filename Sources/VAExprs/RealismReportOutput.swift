import Foundation

/// `evaluate`'s report as JSON, a self-contained HTML page (figures through the registry's
/// `svg` renderer) or a terminal summary.
public enum RealismReportOutput {
    /// Pretty JSON with sorted keys; non-finite numbers become null.
    public static func json(_ report: RealismReport) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var text = String(decoding: try encoder.encode(report), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"nan\"", with: "null")
        return Array((text + "\n").utf8)
    }

    static func format(_ v: Double?, _ digits: Int = 3) -> String {
        guard let v, v.isFinite else { return "—" }
        return String(format: "%.\(digits)f", v)
    }

    /// The numbers as lines, with what each means.
    public static func summary(_ r: RealismReport) -> String {
        var lines = [
            "realism of \(r.generatedCells) generated vs \(r.realCells) real cells (\(r.genes) genes, \(r.components) PCs fitted on \(r.referenceCells) of the real cells, the others compared)",
            "  classifier AUC (0.5 = indistinguishable)   random forest \(format(r.rfAUC))   logistic regression \(format(r.lrAUC))",
            "  real-vs-real floor (two halves)           random forest \(format(r.rfAUCFloor))   logistic regression \(format(r.lrAUCFloor))",
            "  on PCs of real + generated cells pooled   random forest \(format(r.rfAUCPooled))   logistic regression \(format(r.lrAUCPooled))",
            "  fitted vs held-out real cells (the projection's own bias): random forest \(format(r.rfAUCFittedVsHeldOut))",
            "  MMD² \(format(r.mmd2, 4)) (permutation p = \(format(r.mmd2PValue))), real-vs-real floor \(format(r.mmd2Floor, 4))",
            "  per-gene correlation real vs generated     mean r \(format(r.geneMeanR))   variance r \(format(r.geneVarR))   zero fraction r \(format(r.zeroFractionR))",
        ]
        if let accuracy = r.labelAccuracy { lines.append("  labels recovered by a classifier trained on real cells: \(format(accuracy))") }
        if let perLabel = r.perLabelRFAUC, !perLabel.isEmpty {
            lines.append("  per-label random-forest AUC: " + perLabel.keys.sorted().map { "\($0) \(format(perLabel[$0]))" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A scatter of real (filled) and generated (hollow) points.
    static func overlay(title: String, xTitle: String, yTitle: String, real: [(Double, Double)], generated: [(Double, Double)], diagonal: Bool) -> Figure {
        let styles = [PointStyle(colour: Colour.categorical(0), filled: true, size: 5, groups: ["real"]),
                      PointStyle(colour: Colour.categorical(1), filled: false, size: 5, groups: ["generated"])]
        let all = real + generated
        var marks: [Mark] = [.points(PointMark(x: all.map(\.0), y: all.map(\.1), style: real.map { _ in 0 } + generated.map { _ in 1 }, styles: styles))]
        var xAxis = Axis(title: xTitle, covering: all.map(\.0)), yAxis = Axis(title: yTitle, covering: all.map(\.1))
        if diagonal {
            let low = min(xAxis.lower, yAxis.lower), high = max(xAxis.upper, yAxis.upper)
            xAxis = Axis(title: xTitle, covering: [low, high]); yAxis = Axis(title: yTitle, covering: [low, high])
            marks.insert(.line(LineMark(x: [low, high], y: [low, high], colour: .grey, width: 1, dash: [4, 3])), at: 0)
        }
        let legend = Legend(title: "Cells", entries: [LegendEntry(label: "real", colour: Colour.categorical(0), group: "real"),
                                                      LegendEntry(label: "generated", colour: Colour.categorical(1), filled: false, group: "generated")])
        return Figure(width: 460, height: 380, panels: [Panel(title: title, x: xAxis, y: yAxis, marks: marks)], legends: diagonal ? [] : [legend])
    }

    /// The HTML report: the summary table and three figures (PCA overlay, mean–mean, variance–variance).
    public static func html(_ r: RealismReport, details d: RealismEvaluation.Details, registry: Registry) throws -> [UInt8] {
        let svg = try registry.makeRenderer(ComponentSpec(name: "svg"))
        let pca = overlay(title: "Real and generated cells on the real cells' PCs", xTitle: "PC1", yTitle: "PC2",
                          real: (0..<d.realPCs.rows).map { (d.realPCs[$0, 0], d.realPCs[$0, 1]) },
                          generated: (0..<d.generatedPCs.rows).map { (d.generatedPCs[$0, 0], d.generatedPCs[$0, 1]) }, diagonal: false)
        let means = overlay(title: "Per-gene mean (r = \(format(r.geneMeanR)))", xTitle: "real", yTitle: "generated",
                            real: [], generated: zip(d.realMeans, d.generatedMeans).map { ($0, $1) }, diagonal: true)
        let variances = overlay(title: "Per-gene variance (r = \(format(r.geneVarR)))", xTitle: "real", yTitle: "generated",
                                real: [], generated: zip(d.realVariances, d.generatedVariances).map { ($0, $1) }, diagonal: true)
        func row(_ name: String, _ value: String, _ note: String) -> String { "<tr><td>\(name)</td><td>\(value)</td><td>\(note)</td></tr>" }
        var rows = [
            row("random-forest AUC", format(r.rfAUC), "0.5 = indistinguishable; real-vs-real floor \(format(r.rfAUCFloor))"),
            row("logistic-regression AUC", format(r.lrAUC), "real-vs-real floor \(format(r.lrAUCFloor))"),
            row("AUCs on pooled PCs", "\(format(r.rfAUCPooled)) / \(format(r.lrAUCPooled))", "random forest / logistic regression on PCs of real and generated cells together (no projection bias)"),
            row("fitted vs held-out real AUC", format(r.rfAUCFittedVsHeldOut), "random forest: the real cells the PCs were fitted on against held-out real cells — what projection alone costs, and why the first rows compare held-out real cells with generated ones"),
            row("MMD²", format(r.mmd2, 4), "permutation p = \(format(r.mmd2PValue)); real-vs-real floor \(format(r.mmd2Floor, 4)); bandwidth \(format(r.mmdBandwidth))"),
            row("gene mean r", format(r.geneMeanR), "Pearson, per-gene means (log scale)"),
            row("gene variance r", format(r.geneVarR), "Pearson, per-gene variances"),
            row("zero-fraction r", format(r.zeroFractionR), "Pearson, per-gene fraction of zeros"),
        ]
        if let a = r.labelAccuracy { rows.append(row("label accuracy", format(a), "classifier trained on real cells, tested on generated")) }
        for (label, auc) in (r.perLabelRFAUC ?? [:]).sorted(by: { $0.key < $1.key }) {
            rows.append(row("RF AUC, label \(label.replacingOccurrences(of: "<", with: "&lt;"))", format(auc), "real vs generated cells of this label"))
        }
        var page = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>VAExprs realism report</title>
        <style>body{font-family:Helvetica,Arial,sans-serif;margin:24px;max-width:1100px}table{border-collapse:collapse}
        td{border-bottom:1px solid #ddd;padding:4px 10px}td:nth-child(2){font-weight:bold;text-align:right}.figs{display:flex;flex-wrap:wrap;gap:8px}</style>
        </head><body>
        <h1>How real are the generated cells?</h1>
        <p>\(r.generatedCells) generated vs \(r.realCells) real cells; \(r.genes) highly variable genes\(r.logNormalized ? " after library-size normalisation to 10 000 and log1p" : " (data already log-scale)"); classifiers and MMD on the top \(r.components) principal components of \(r.referenceCells) real cells, comparing the other \(r.realCells - r.referenceCells) real cells with the generated ones; 5-fold cross-validation with balanced classes; seed \(r.seed).</p>
        <table>\(rows.joined())</table>
        <div class="figs">
        """
        var bytes = Array(page.utf8)
        for figure in [pca, means, variances] {
            let svgBytes = try svg.render(figure)  // standalone SVG, no XML declaration: inlines as is
            bytes += Array("<div>".utf8) + svgBytes + Array("</div>\n".utf8)
        }
        page = "</div></body></html>\n"
        bytes += Array(page.utf8)
        return bytes
    }
}
