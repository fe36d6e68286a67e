import { budgetStoreContract } from '../../test/support/budget-store-contract.ts';
import { MemoryBudgetStore } from './memory-budget-store.ts';

budgetStoreContract('memory', () => new MemoryBudgetStore());
