import Foundation

/// `evaluate`'s report as JSON, a self-contained HTML page (figures through the registry's
/// `svg` renderer) or a terminal summary.
package enum RealismReportOutput {
    /// Pretty JSON with sorted keys; non-finite numbers become null.
    package static func json(_ report: RealismReport) throws -> [UInt8] { try reportJSON(report) }

    /// A report as pretty JSON with sorted keys, non-finite numbers as null (every report).
    static func reportJSON(_ report: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var text = String(decoding: try encoder.encode(report), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"nan\"", with: "null")
        return Array((text + "\n").utf8)
    }

    static func format(_ v: Double?, _ digits: Int = 3) -> String {
        guard let v, v.isFinite else { return "—" }
        return String(format: "%.\(digits)f", v)
    }

    /// `mean ± sd` of a repeated measurement.
    static func spread(_ mean: Double, _ sd: Double) -> String { "\(format(mean)) ± \(format(sd))" }

    /// What the copy ratio says, or why there is none.
    static func copies(_ r: RealismReport) -> String {
        guard let ratio = r.copyRatio else {
            return r.trainingCells == nil
                ? "not measured (give the training cells; the real cells should be cells the model never saw)"
                : "not measured"
        }
        let verdict: String
        if r.memorises {
            verdict =
                """
                FLAGGED: generated cells sit on training cells, not on unseen real ones (copying; see README, \
                'Latent sampling')
                """
        } else if ratio < RealismReport.copyRatioFlag {
            verdict =
                """
                closer to training cells than unseen real cells are, but as close to unseen real cells (control \
                \(format(r.trainingOverUnseen, 2))): less varied than real cells, not copies
                """
        } else {
            verdict = "no sign of copying (control \(format(r.trainingOverUnseen, 2)))"
        }
        return
            """
            \(format(ratio, 2)) (median nearest-training distance \(format(r.nearestTrainingGenerated, 2)) for \
            generated cells, \(format(r.nearestTrainingReal, 2)) for \(r.heldOutRealCells ?? 0) real cells the \
            model never saw; 1 = no copying): \(verdict)
            """
    }

    /// The numbers as lines, with what each means.
    package static func summary(_ r: RealismReport) -> String {
        var lines = [
            """
            realism of \(r.generatedCells) generated vs \(r.realCells) real cells (\(r.genes) genes, \
            \(r.components) PCs fitted on \(r.referenceCells) of the real cells, the others compared)
            """,
            "  normalisation: \(r.normalization)",
            """
              classifier AUC (0.5 = indistinguishable; mean ± sd of \(r.repeats) runs)   random forest \
            \(spread(r.rfAUC, r.rfAUCSD))   logistic regression \(spread(r.lrAUC, r.lrAUCSD))
            """,
            """
              real-vs-real floor (two halves, \(r.repeats) runs)            random forest \
            \(spread(r.rfAUCFloor, r.rfAUCFloorSD))   logistic regression \(spread(r.lrAUCFloor, r.lrAUCFloorSD))
            """,
            """
              on PCs of real + generated cells pooled   random forest \(format(r.rfAUCPooled))   logistic \
            regression \(format(r.lrAUCPooled))
            """,
            """
              fitted vs held-out real cells (the projection's own bias): random forest \
            \(format(r.rfAUCFittedVsHeldOut))
            """,
            """
              MMD² \(format(r.mmd2, 4)) (permutation p = \(format(r.mmd2PValue))), real-vs-real floor \
            \(format(r.mmd2Floor, 4))
            """,
            """
              per-gene correlation real vs generated     mean r \(format(r.geneMeanR))   variance r \
            \(format(r.geneVarR))   zero fraction r \(format(r.zeroFractionR))
            """,
            """
              bias (1 = none): slope of generated on real per-gene means \(format(r.geneMeanSlope)), variances \
            \(format(r.geneVarSlope))
            """,
            """
              zero fraction real \(format(r.zeroFractionReal)) / generated \(format(r.zeroFractionGenerated));   \
            median cell total real \(format(r.medianTotalReal, 1)) / generated \
            \(format(r.medianTotalGenerated, 1))
            """,
            "  copies: \(copies(r))"
        ]
        if let accuracy = r.labelAccuracy {
            lines.append("  labels recovered by a classifier trained on real cells: \(format(accuracy))")
        }
        if let perLabel = r.perLabelRFAUC, !perLabel.isEmpty {
            lines.append(
                "  per-label random-forest AUC: "
                    + perLabel.keys.sorted().map { "\($0) \(format(perLabel[$0]))" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A scatter of real (filled) and generated (hollow) points.
    static func overlay(
        title: String, xTitle: String, yTitle: String, real: [(Double, Double)], generated: [(Double, Double)],
        diagonal: Bool
    ) -> Figure {
        let styles = [
            PointStyle(colour: Colour.categorical(0), filled: true, size: 5, groups: ["real"]),
            PointStyle(colour: Colour.categorical(1), filled: false, size: 5, groups: ["generated"])
        ]
        let all = real + generated
        var marks: [Mark] = [
            .points(
                PointMark(
                    x: all.map(\.0), y: all.map(\.1), style: real.map { _ in 0 } + generated.map { _ in 1 },
                    styles: styles))
        ]
        var xAxis = Axis(title: xTitle, covering: all.map(\.0)), yAxis = Axis(title: yTitle, covering: all.map(\.1))
        if diagonal {
            let low = min(xAxis.lower, yAxis.lower), high = max(xAxis.upper, yAxis.upper)
            xAxis = Axis(title: xTitle, covering: [low, high])
            yAxis = Axis(title: yTitle, covering: [low, high])
            marks.insert(.line(LineMark(x: [low, high], y: [low, high], colour: .grey, width: 1, dash: [4, 3])), at: 0)
        }
        let legend = Legend(
            title: "Cells",
            entries: [
                LegendEntry(label: "real", colour: Colour.categorical(0), group: "real"),
                LegendEntry(label: "generated", colour: Colour.categorical(1), filled: false, group: "generated")
            ])
        return Figure(
            width: 460, height: 380, panels: [Panel(title: title, x: xAxis, y: yAxis, marks: marks)],
            legends: diagonal ? [] : [legend])
    }

    /// The HTML report: the summary table and three figures (PCA overlay, mean–mean, variance–variance).
    package static func html(_ r: RealismReport, details d: RealismEvaluation.Details, registry: Registry) throws
        -> [UInt8]
    {
        let svg = try registry.makeRenderer(ComponentSpec(name: "svg"))
        let pca = overlay(
            title: "Real and generated cells on the real cells' PCs", xTitle: "PC1", yTitle: "PC2",
            real: (0..<d.realPCs.rows).map { (d.realPCs[$0, 0], d.realPCs[$0, 1]) },
            generated: (0..<d.generatedPCs.rows).map { (d.generatedPCs[$0, 0], d.generatedPCs[$0, 1]) }, diagonal: false
        )
        let means = overlay(
            title: "Per-gene mean (r = \(format(r.geneMeanR)))", xTitle: "real", yTitle: "generated",
            real: [], generated: zip(d.realMeans, d.generatedMeans).map { ($0, $1) }, diagonal: true)
        let variances = overlay(
            title: "Per-gene variance (r = \(format(r.geneVarR)))", xTitle: "real", yTitle: "generated",
            real: [], generated: zip(d.realVariances, d.generatedVariances).map { ($0, $1) }, diagonal: true)
        func row(_ name: String, _ value: String, _ note: String) -> String {
            "<tr><td>\(name)</td><td>\(value)</td><td>\(note)</td></tr>"
        }
        var rows = [
            row("normalisation", r.normalization, ""),
            row(
                "random-forest AUC", spread(r.rfAUC, r.rfAUCSD),
                """
                0.5 = indistinguishable; mean ± sd of \(r.repeats) runs; real-vs-real floor \
                \(spread(r.rfAUCFloor, r.rfAUCFloorSD))
                """
            ),
            row(
                "logistic-regression AUC", spread(r.lrAUC, r.lrAUCSD),
                "real-vs-real floor \(spread(r.lrAUCFloor, r.lrAUCFloorSD))"),
            row(
                "AUCs on pooled PCs", "\(format(r.rfAUCPooled)) / \(format(r.lrAUCPooled))",
                "random forest / logistic regression on PCs of real and generated cells together (no projection bias)"),
            row(
                "fitted vs held-out real AUC", format(r.rfAUCFittedVsHeldOut),
                """
                random forest: the real cells the PCs were fitted on against held-out real cells — what \
                projection alone costs, and why the first rows compare held-out real cells with generated ones
                """
            ),
            row(
                "MMD²", format(r.mmd2, 4),
                """
                permutation p = \(format(r.mmd2PValue)); real-vs-real floor \(format(r.mmd2Floor, 4)); bandwidth \
                \(format(r.mmdBandwidth))
                """
            ),
            row("gene mean r", format(r.geneMeanR), "Pearson, per-gene means (log scale)"),
            row("gene variance r", format(r.geneVarR), "Pearson, per-gene variances"),
            row("zero-fraction r", format(r.zeroFractionR), "Pearson, per-gene fraction of zeros"),
            row(
                "gene mean / variance slope", "\(format(r.geneMeanSlope)) / \(format(r.geneVarSlope))",
                """
                least-squares slope of generated on real per-gene statistics: 1 = unbiased, above 1 = generated \
                genes spread wider
                """
            ),
            row(
                "zero fraction", "\(format(r.zeroFractionReal)) / \(format(r.zeroFractionGenerated))",
                "real / generated, all genes, raw values"),
            row(
                "median cell total", "\(format(r.medianTotalReal, 1)) / \(format(r.medianTotalGenerated, 1))",
                "real / generated (library size for counts)"),
            row("copy ratio", format(r.copyRatio, 2), copies(r).replacingOccurrences(of: "<", with: "&lt;"))
        ]
        if let a = r.labelAccuracy {
            rows.append(row("label accuracy", format(a), "classifier trained on real cells, tested on generated"))
        }
        for (label, auc) in (r.perLabelRFAUC ?? [:]).sorted(by: { $0.key < $1.key }) {
            rows.append(
                row(
                    "RF AUC, label \(label.replacingOccurrences(of: "<", with: "&lt;"))", format(auc),
                    "real vs generated cells of this label"))
        }
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>VAExprs realism report</title>
            <style>body{font-family:Helvetica,Arial,sans-serif;margin:24px;max-width:1100px}\
            table{border-collapse:collapse}
            td{border-bottom:1px solid #ddd;padding:4px \
            10px}td:nth-child(2){font-weight:bold;text-align:right}.figs{display:flex;flex-wrap:wrap;gap:8px}</style>
            </head><body>
            <h1>How real are the generated cells?</h1>
            <p>\(r.generatedCells) generated vs \(r.realCells) real cells; \(r.genes) highly variable genes; \
            \(r.normalization); classifiers and MMD on the top \(r.components) principal components of \
            \(r.referenceCells) real cells, comparing the other \(r.realCells - r.referenceCells) real cells with the \
            generated ones; 5-fold cross-validation with balanced classes, \(r.repeats) runs; seed \(r.seed).</p>
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
