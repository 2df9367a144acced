package io.brokest.internal.client;

import io.brokest.internal.wire.Message;

/** What other threads ask of the client's agent thread, through its mailbox. */
sealed interface Command {
    record Submit(TaskHandle task) implements Command {
    }

    record Cancel(long taskId) implements Command {
    }

    record AddWorker(String endpoint) implements Command {
    }

    record RemoveWorker(String endpoint) implements Command {
    }

    /** A worker's host was looked up after a failed connect: try connecting again. */
    record Reconnect(String endpoint) implements Command {
    }

    record ReplyClassData(String endpoint, Message.ClassData data) implements Command {
    }

    record Shutdown() implements Command {
    }
}
