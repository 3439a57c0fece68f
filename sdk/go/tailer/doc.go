// Declare the state of Tailer data operations: configuration statuses, job runs and workflow resets.
package tailer
