/** `/entries`: built in part 2 (issue 9). */
import { Placeholder } from "./Placeholder";

export default function Entries() {
  return <Placeholder title="entries" />;
}
