/** `/accounts`: built in part 2 (issue 9). */
import { Placeholder } from "./Placeholder";

export default function Accounts() {
  return <Placeholder title="accounts" />;
}
