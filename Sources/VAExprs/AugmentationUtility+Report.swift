import Foundation

extension AugmentationUtility {
    typealias ArmScores = [UtilityComparison.Arm: UtilityComparison.Scores]

    /// The report of every repeat's comparisons: per arm mean ± sd over repeats.
    static func summarize(
        _ request: UtilityRequest, classNames: [String], members: [[Int]], heldOutCounts: [Int], reducible: [Int],
        labelRuns: [[ArmScores]], cappedRuns: [ArmScores], ceilingRuns: [UtilityComparison.Scores],
        skipped: [UtilityReport.Skipped], settings: UtilityComparison.Settings, fits: Int, seconds: Double
    ) -> UtilityReport {
        let arms = UtilityComparison.Arm.allCases
        func byArm(_ value: (UtilityComparison.Arm) -> [Double]) -> [String: UtilityReport.Score] {
            Dictionary(uniqueKeysWithValues: arms.map { ($0.rawValue, UtilityReport.Score(value($0))) })
        }
        let ceilingF1 = Dictionary(
            uniqueKeysWithValues: classNames.indices.map { k in
                (classNames[k], UtilityReport.Score(ceilingRuns.map { $0.f1[k] ?? .nan }))
            })
        var report = UtilityReport(
            kept: request.kept, added: request.added, repeats: request.repeats,
            heldOutFraction: request.heldOutFraction, seed: request.seed, arms: arms.map(\.rawValue),
            classifier: settings.statement, model: "", fits: fits, seconds: seconds,
            ceilingMacroF1: UtilityReport.Score(ceilingRuns.map(\.macroF1)), ceilingF1: ceilingF1, skipped: skipped)
        if !labelRuns.isEmpty {
            report.perLabel = reducible.enumerated().map { position, k in
                UtilityReport.ReducedLabel(
                    label: classNames[k], trainingCells: members[k].count - heldOutCounts[k],
                    heldOutCells: heldOutCounts[k],
                    f1: byArm { arm in labelRuns.map { $0[position][arm]?.f1[k] ?? .nan } },
                    macroF1: byArm { arm in labelRuns.map { $0[position][arm]?.macroF1 ?? .nan } },
                    ceilingF1: ceilingF1[classNames[k]]!)
            }
            /// Per repeat, the mean over reduced labels of `value` (NaN values left out).
            func meanOverLabels(_ arm: UtilityComparison.Arm, _ value: (UtilityComparison.Scores, Int) -> Double)
                -> UtilityReport.Score
            {
                UtilityReport.Score(
                    labelRuns.map { run in
                        let values = zip(run, reducible).compactMap { scores, k in scores[arm].map { value($0, k) } }
                            .filter { !$0.isNaN }
                        return values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
                    })
            }
            report.perLabelMeanF1 = Dictionary(
                uniqueKeysWithValues: arms.map { arm in (arm.rawValue, meanOverLabels(arm) { $0.f1[$1] ?? .nan }) })
            report.perLabelMeanCeilingF1 = UtilityReport.Score(
                ceilingRuns.map { run in
                    let values = reducible.compactMap { run.f1[$0] }.filter { !$0.isNaN }
                    return values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
                })
            report.perLabelMeanMacroF1 = Dictionary(
                uniqueKeysWithValues: arms.map { arm in (arm.rawValue, meanOverLabels(arm) { s, _ in s.macroF1 }) })
        }
        if !cappedRuns.isEmpty {
            report.capped = UtilityReport.Capped(
                f1: Dictionary(
                    uniqueKeysWithValues: classNames.indices.map { k in
                        (classNames[k], byArm { arm in cappedRuns.map { $0[arm]?.f1[k] ?? .nan } })
                    }),
                macroF1: byArm { arm in cappedRuns.map { $0[arm]?.macroF1 ?? .nan } })
        }
        return report
    }
}
