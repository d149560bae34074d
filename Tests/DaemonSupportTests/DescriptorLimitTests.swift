import Glibc
import PosixSupport
import Testing

@Suite("The daemons' open-file limit")
struct DescriptorLimitTests {
    private static func limit() -> rlimit {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        return limit
    }

    @Test("a soft limit below the hard one is raised to it, and the new soft limit is what is reported")
    func raisesSoftToHard() throws {
        let before = Self.limit()
        try #require(before.rlim_max > 1, "no room to lower the soft limit")
        // One below the hard limit: lowering it further would starve the tests running beside this one.
        var lowered = before
        lowered.rlim_cur = before.rlim_max - 1
        try #require(setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &lowered) == 0)
        let reported = DescriptorLimit.raiseToHard()
        let after = Self.limit()
        #expect(after.rlim_cur == before.rlim_max)
        #expect(after.rlim_max == before.rlim_max)
        #expect(reported == Int(clamping: after.rlim_cur))
        #expect(ProcessSnapshot.current().maxFileDescriptors == reported)
        #expect(DescriptorLimit.raiseToHard() == reported, "already at the hard limit: nothing changes")
    }
}
