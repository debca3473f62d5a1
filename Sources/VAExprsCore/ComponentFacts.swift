/// What a component is, registered beside its factory and known without making one: what a
/// likelihood scores and how many decoder outputs it reads per gene, which files a renderer
/// writes, how many dimensions a reducer embeds in by default. Built-ins and plugins declare
/// them alike when they register.
public struct ComponentFacts: Sendable, Equatable {
    /// A likelihood's targets (raw counts or scaled values); nil for the other kinds.
    public var likelihoodData: LikelihoodData?
    /// A likelihood's decoder outputs per gene (1; ZINB reads 2).
    public var outputsPerFeature: Int
    /// A renderer's file extensions, lower case without the dot (empty: none of its own).
    public var fileExtensions: [String]
    /// A reducer's embedding width when none is asked for (at most the cells and genes): 2 for
    /// a plot's embedding, 50 for PCA (the principal components other steps work on).
    public var defaultComponents: Int

    /// Facts; the defaults fit components that declare nothing of their kind.
    public init(
        likelihoodData: LikelihoodData? = nil, outputsPerFeature: Int = 1, fileExtensions: [String] = [],
        defaultComponents: Int = 2
    ) {
        self.likelihoodData = likelihoodData
        self.outputsPerFeature = outputsPerFeature
        self.fileExtensions = fileExtensions.map { $0.lowercased() }
        self.defaultComponents = defaultComponents
    }

    /// A likelihood scoring `data`, reading `outputsPerFeature` decoder outputs per gene.
    public static func likelihood(_ data: LikelihoodData, outputsPerFeature: Int = 1) -> ComponentFacts {
        ComponentFacts(likelihoodData: data, outputsPerFeature: outputsPerFeature)
    }

    /// A renderer writing files with these extensions.
    public static func renderer(_ extensions: [String]) -> ComponentFacts {
        ComponentFacts(fileExtensions: extensions)
    }
}
