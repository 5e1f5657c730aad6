using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Migration;

namespace Ssi.Agent.Tests.Migration;

public sealed class AttemptJournalTests
{
    [Fact]
    public void An_attempt_keeps_its_host_pid_and_freeze_time_as_its_state_moves_on()
    {
        var journal = new AttemptJournal();

        journal.Record("a", AttemptState.Checkpointing, hostPid: 4242);
        journal.Record("a", AttemptState.Checkpointed, frozenAtUnixMs: 1_700_000_000_000);
        journal.Record("a", AttemptState.Committed);

        var status = journal.Find("a")!;
        Assert.Equal((AttemptState.Committed, 4242, 1_700_000_000_000L), (status.State, status.HostPid, status.FrozenAtUnixMs));
        Assert.Equal("a", status.AttemptId);
    }

    [Fact]
    public void An_attempt_this_agent_never_saw_is_unknown()
    {
        var journal = new AttemptJournal();

        Assert.Null(journal.Find("nope"));
        Assert.Equal(AttemptState.Unspecified, journal.StateOf("nope"));
    }

    [Fact]
    public void Only_the_most_recent_finished_attempts_are_kept_and_attempts_in_flight_never_go()
    {
        var journal = new AttemptJournal();
        journal.Record("in-flight", AttemptState.Restored, hostPid: 7);

        for (var i = 0; i < AttemptJournal.FinishedKept + 10; i++)
        {
            journal.Record($"done-{i}", AttemptState.Resumed);
        }

        Assert.Null(journal.Find("done-0"));
        Assert.Null(journal.Find("done-9"));
        Assert.NotNull(journal.Find("done-10"));
        Assert.Equal(AttemptState.Resumed, journal.StateOf($"done-{AttemptJournal.FinishedKept + 9}"));
        Assert.Equal(AttemptState.Restored, journal.StateOf("in-flight"));
    }
}
