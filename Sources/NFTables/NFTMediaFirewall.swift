import NFTRules

/// palisade-media's firewall: the owned table plus the pinhole state the kernel holds.
/// The state advances only when the kernel has accepted a batch.
public final class NFTMediaFirewall {
    public let rules: NFTRules
    public private(set) var state = NFTPinholeState()
    private let connection: NFTablesConnection

    public init(rules: NFTRules, connection: NFTablesConnection) {
        self.rules = rules
        self.connection = connection
    }

    /// Creates or replaces table `inet palisade`, keeping the pinholes currently recorded.
    public func setUp() throws(NFTError) {
        try connection.apply(rules.setupBatch(restoring: state))
    }

    /// Applies one control command's changes as one transaction.
    public func apply(_ changes: [NFTChange]) throws(NFTError) {
        let plan = state.plan(changes)
        try connection.apply(plan.batch)
        state = plan.state
    }
}
